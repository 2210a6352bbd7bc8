#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources through ZTC's cached loader (no build step).
require('../../ztc/bin/register.js');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
