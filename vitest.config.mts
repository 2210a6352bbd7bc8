import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tools/**/*.spec.ts', 'adapters/**/*.spec.ts', 'e2e/**/*.spec.ts', 'scripts/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
