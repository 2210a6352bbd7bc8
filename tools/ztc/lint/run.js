'use strict';
// The engine project's `lint` target: lint/main.ts from source (bin/run-main.js).
require('../bin/run-main.js')(require.resolve('./main.ts'));
