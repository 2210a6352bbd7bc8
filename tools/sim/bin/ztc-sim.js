#!/usr/bin/env node
'use strict';
// `npm run sim`: the simulated datacenter (tools/sim/src/main.ts), through ZTC's TypeScript loader.
require('../../ztc/bin/register.js');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
