import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Whatever a test forgets to point elsewhere lands in a scratch dir, never in the developer's own
// ~/.local/state/ztc (private dirs) or ~/.config/ztc (secrets files).
const scratch = join(tmpdir(), `ztc-vitest-${process.pid}`);

export default defineConfig({
  test: {
    include: ['tools/**/*.spec.ts', 'adapters/**/*.spec.ts', 'e2e/**/*.spec.ts', 'scripts/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { XDG_STATE_HOME: join(scratch, 'state'), XDG_CONFIG_HOME: join(scratch, 'config') },
  },
});
