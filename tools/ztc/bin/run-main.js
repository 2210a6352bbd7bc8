'use strict';
/**
 * Starts a repository tool written in TypeScript (the simulated datacenter, the cache server): loads its
 * entry through the engine's `.ts` loader (dist/ts-require.js, @swc/core), calls its
 * `main(argv): Promise<number>` and ends with that exit code. Not part of the published package.
 */
module.exports = function runMain(entry) {
  require('../lib/load.js').load('ts-require');
  require(entry)
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
};
