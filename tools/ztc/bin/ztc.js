#!/usr/bin/env node
'use strict';
const engine = require('./engine.js').engine('cli');
// A closed pipe (`ztc plan | head`) is not an error of ours: stop quietly with the exit code so far.
// A running bootstrap is told instead, so it stops its step's process group before ztc ends.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    if (!engine('src/bootstrap/signals.ts').outputClosed()) process.exit(process.exitCode ?? 0);
  });
}
engine('src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
