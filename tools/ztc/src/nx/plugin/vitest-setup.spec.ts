import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../../testing/temp-workspace';
import { vitestSetup } from './vitest-setup';

describe('how adapter specs run in a workspace (the test target)', () => {
  it.each([
    ['no vitest installed: no test target', {}, 'none'],
    [
      'a root config without test projects (this repository): vitest from the root',
      { 'node_modules/.bin/vitest': '', 'vitest.config.mts': 'export default { test: { include: ["**/*.spec.ts"] } };\n' },
      'root',
    ],
    [
      'the root config @nx/vite generates (test projects): vitest rooted in the adapter',
      { 'node_modules/.bin/vitest': '', 'vitest.config.mts': "export default defineConfig({ test: { projects: ['**/vitest.config.{mjs,js,ts,mts}'] } });\n" },
      'project',
    ],
    ['a vitest.workspace file', { 'node_modules/.bin/vitest': '', 'vitest.workspace.ts': 'export default [];\n' }, 'project'],
    ['vitest without a root config', { 'node_modules/.bin/vitest': '' }, 'project'],
  ])('%s', (_what, files, expected) => {
    const ws = tempWorkspace();
    rmSync(ws.path('node_modules'), { recursive: true, force: true }); // only what the case writes
    for (const [rel, content] of Object.entries(files)) ws.write(rel, content);
    expect(vitestSetup(ws.root)).toBe(expected);
  });
});
