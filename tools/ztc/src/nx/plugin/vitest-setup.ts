/**
 * How an adapter's specs run in this workspace (its `test` target):
 * - `root`: the workspace has a root vitest config without test projects (this repository): vitest runs
 *   from the root with that config, filtered to the adapter's folder;
 * - `project`: a root config that splits the workspace into test projects (what @nx/vite generates:
 *   `test.projects`, or a vitest.workspace file) would find no project for the adapter's specs, so
 *   vitest runs with the adapter's folder as its root and the engine's vitest.adapter.mjs as its config
 *   (vitest's defaults but where specs are; a config in the adapter's folder is not read);
 *   so does a workspace with vitest installed and no root config;
 * - `none`: vitest is not installed: no `test` target is made.
 * Graph construction only reads files; the config is looked at as text (it is code, not data).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type VitestSetup = 'root' | 'project' | 'none';

const ROOT_CONFIGS = ['vitest.config.mts', 'vitest.config.ts', 'vitest.config.mjs', 'vitest.config.js', 'vitest.config.cts', 'vitest.config.cjs'];
const WORKSPACE_FILES = ['vitest.workspace.ts', 'vitest.workspace.mts', 'vitest.workspace.js', 'vitest.workspace.mjs', 'vitest.workspace.json'];

export function vitestSetup(workspaceRoot: string): VitestSetup {
  if (!existsSync(join(workspaceRoot, 'node_modules', '.bin', 'vitest'))) return 'none';
  if (WORKSPACE_FILES.some((f) => existsSync(join(workspaceRoot, f)))) return 'project';
  const config = ROOT_CONFIGS.find((f) => existsSync(join(workspaceRoot, f)));
  if (config === undefined) return 'project';
  const text = readFileSync(join(workspaceRoot, config), 'utf8');
  return /\b(projects|workspace)\s*:/.test(text) ? 'project' : 'root';
}
