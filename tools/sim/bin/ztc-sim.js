#!/usr/bin/env node
'use strict';
// `npm run sim`: the simulated datacenter (tools/sim/src/main.ts).
require('../../ztc/bin/run-main.js')(require.resolve('../src/main.ts'));
