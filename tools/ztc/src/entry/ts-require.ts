/**
 * dist/ts-require.js (build/build.js): Node's `.ts` loader for this repository's tools that run from
 * TypeScript source (the simulated datacenter, the cache server, the package lint, benchmarks, specs'
 * child processes): `node -r <engine>/dist/ts-require.js file.ts`. Installs on load.
 */
import { installTsRequire } from '../util/ts-require';

installTsRequire();
export { installTsRequire };
