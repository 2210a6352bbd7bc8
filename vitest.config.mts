import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Whatever a test forgets to point elsewhere lands in a scratch dir, never in the developer's own
// ~/.local/state/ztc (private dirs) or ~/.config/ztc (secrets files).
const scratch = join(tmpdir(), `ztc-vitest-${process.pid}`);
const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  // Specs import the engine's public entries from its sources; the processes they start run its build
  // (dist/, brought up to date with the sources first: tools/ztc/build/vitest-setup.ts).
  resolve: {
    alias: [
      { find: /^@ztc\/engine$/, replacement: join(root, 'tools/ztc/src/index.ts') },
      { find: /^@ztc\/engine\/testing$/, replacement: join(root, 'tools/ztc/testing/index.ts') },
    ],
  },
  test: {
    globalSetup: ['tools/ztc/build/vitest-setup.ts'],
    include: ['tools/**/*.spec.ts', 'adapters/**/*.spec.ts', 'e2e/**/*.spec.ts', 'scripts/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers even on two cores: the slow specs (the simulated datacenter, the Nx end-to-end ones) mostly
    // wait on child processes, so two files at a time take the suite from ~450 s to ~280 s here.
    maxWorkers: 2,
    env: { XDG_STATE_HOME: join(scratch, 'state'), XDG_CONFIG_HOME: join(scratch, 'config') },
  },
});
