/** dist/cli.js (build/build.js): what bin/ztc.js runs. */
export { main } from '../cli/main';
export { outputClosed } from '../bootstrap/signals';
