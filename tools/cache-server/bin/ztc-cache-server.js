#!/usr/bin/env node
'use strict';
// `npm run cache-server`: the self-hosted Nx remote cache (tools/cache-server/src/main.ts).
require('../../ztc/bin/run-main.js')(require.resolve('../src/main.ts'));
