#!/usr/bin/env node
'use strict';
// A closed pipe (`ztc plan | head`) is not an error of ours: stop quietly with the exit code so far.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
require('./register.js');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
