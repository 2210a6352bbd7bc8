#!/usr/bin/env node
'use strict';
const argv = process.argv.slice(2);
const { load, buildId } = require('../lib/load.js');
// A render whose inputs and outputs are as the last render left them prints what it printed then,
// without loading the engine (lib/render-stamp.js).
const upToDate = require('../lib/render-stamp.js').upToDate(argv, process.cwd(), buildId);
if (argv[0] === '--version' || argv[0] === '-v') {
  // What the CLI prints for it (cli/main.ts: the engine's version), without loading the engine.
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (upToDate !== undefined) {
  process.stdout.on('error', () => {}); // a closed pipe: nothing more to say
  process.stdout.write(`${upToDate}\n`);
} else {
  // Node >= 22.1: V8's code cache for the engine's build and the packages it loads, in ZTC's cache folder
  // (a no-op where a compile cache is on already).
  require('node:module').enableCompileCache?.(require('node:path').join(require('../lib/cache-root.js').cacheRoot, 'ztc-node-compile-cache'));
  const cli = load('cli');
  // A closed pipe (`ztc plan | head`) is not an error of ours: stop quietly with the exit code so far.
  // A running bootstrap is told instead, so it stops its step's process group before ztc ends.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      if (!cli.outputClosed()) process.exit(process.exitCode ?? 0);
    });
  }
  cli.main(argv).then((code) => {
    process.exitCode = code;
  });
}
