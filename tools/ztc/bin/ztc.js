#!/usr/bin/env node
'use strict';
const argv = process.argv.slice(2);
const { currentBundleName } = require('./engine.js');
// A render whose inputs and outputs are as the last render left them prints what it printed then,
// without loading the engine (render-stamp.js).
const upToDate = require('./render-stamp.js').upToDate(argv, process.cwd(), () => currentBundleName('cli'));
if (upToDate !== undefined) {
  process.stdout.on('error', () => {}); // a closed pipe: nothing more to say
  process.stdout.write(`${upToDate}\n`);
} else {
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
    .main(argv)
    .then((code) => {
      process.exitCode = code;
    });
}
