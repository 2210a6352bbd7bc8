'use strict';
/**
 * Starts a repository tool written in TypeScript (the simulated datacenter, the cache server): loads its
 * entry through ZTC's transpile-caching loader (register.js, no build step), calls its
 * `main(argv): Promise<number>` and ends with that exit code.
 */
module.exports = function runMain(entry) {
  require('./register.js');
  require(entry)
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
};
