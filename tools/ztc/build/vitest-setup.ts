/**
 * vitest globalSetup: the engine's build (dist/) current before any spec runs, since specs start the
 * `ztc` bin, Nx and render modules (which load `@ztc/engine` as Node resolves it: dist/index.js).
 */
export default function setup(): void {
  (require('./build.js') as { ensureFresh(): void }).ensureFresh();
}
