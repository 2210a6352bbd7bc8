/**
 * Names, globs and file locations shared by the Nx plugin (which declares targets, inputs and outputs)
 * and the executors (which read and write exactly those files). Keeping both sides here is what keeps a
 * target's declared inputs and outputs in step with what its executor touches.
 */
import { STATE_AREA_DIR } from '../workspace/state-area';
import { PACKAGE_NAME } from '../constants';

/**
 * One glob for both kinds of project file, so one plugin pass sees every adapter before any platform.
 * The roots are options (options.ts), so it matches anywhere; createNodes keeps the files directly
 * below the configured roots.
 */
export const PROJECT_FILES_GLOB = '**/{adapter,platform}.yaml';

/** Executor references: the engine package's executors.json (target names are options, options.ts). */
export const RENDER_EXECUTOR = `${PACKAGE_NAME}:render`;
export const LINT_EXECUTOR = `${PACKAGE_NAME}:lint`;

/** Where the per-adapter render tasks keep their results (gitignored, cached by Nx). */
export const RENDER_WORK_DIR = `${STATE_AREA_DIR}/render`;

/**
 * Workspace-relative paths of the intermediate render files. `dir` is the platform's workspace-relative
 * folder (`platforms/<p>`, see workspace.ts platformPath; the project root in the plugin).
 */
export const renderPaths = {
  /** Folder of one platform's intermediate render files. */
  workDir: (dir: string): string => `${dir}/${RENDER_WORK_DIR}`,
  /** split-config output folder: one slice of platform.yaml per adapter. */
  configDir: (dir: string): string => `${dir}/${RENDER_WORK_DIR}/config`,
  /** The slice render-<adapter> reads: validated config, platform metadata, its providers. */
  configSlice: (dir: string, adapter: string): string => `${dir}/${RENDER_WORK_DIR}/config/${adapter}.json`,
  /** The whole AdapterOutput (files, capabilities, scriptContext), read by render. */
  adapterOutput: (dir: string, adapter: string): string => `${dir}/${RENDER_WORK_DIR}/${adapter}.json`,
  /** Only the capability payloads, read by the adapter's consumers (early cut-off). */
  capabilities: (dir: string, adapter: string): string => `${dir}/${RENDER_WORK_DIR}/${adapter}.capabilities.json`,
  /**
   * What the adapter's last render read and wrote (fingerprints), for early cut-off inside a batch.
   * Not `.json`, so no consumer hashes it.
   */
  stamp: (dir: string, adapter: string): string => `${dir}/${RENDER_WORK_DIR}/${adapter}.stamp`,
};

/**
 * `dependentTasksOutputFiles` globs. Each is matched against the outputs of every dependency of a task,
 * so each names only the kind of file it is meant for.
 */
export const DEP_OUTPUT_GLOBS = {
  /**
   * render-<a> ← split-config and render-<provider>: a's own slice and the providers' payloads. One
   * glob, not two: Nx lists every dependency's outputs once per glob.
   */
  adapterInputs: (adapter: string): string => `**/${RENDER_WORK_DIR}/{config/${adapter}.json,*.capabilities.json}`,
  /** render ← render-<a>: the whole output of every adapter. */
  adapterOutputs: `**/${RENDER_WORK_DIR}/*.json`,
};

/**
 * Engine and plugin files (relative to the engine package) that every cached ZTC task hashes when the
 * engine is part of the workspace (this repository), tests excluded. Render tasks are cheap in a batch,
 * so a stale cache from a missed import is the risk worth avoiding, not an extra re-render. Where the
 * engine is installed from npm, its version is hashed instead (plugin/engine.ts).
 */
export const ENGINE_FILES = [
  'src/**/*',
  '!src/**/*.spec.ts',
  '!src/**/__fixtures__/**/*',
  'schemas/**/*',
  'capabilities/**/*',
  'scripts/**/*',
  '!scripts/**/*.spec.ts',
  'bin/**/*',
  'lib/**/*',
  '!bin/**/*.spec.ts',
  'package.json',
  'executors.json',
  'nx-plugin.js',
];

/**
 * Files an adapter's tests may use besides the adapter itself: the engine's test helpers
 * (engine-relative), the workspace's vitest config and root TypeScript configs, and a TypeScript config
 * beside the adapters (relative to adaptersRoot; this repository keeps one there, see docs/nx.md).
 */
export const TEST_SUPPORT_FILES = { engine: ['testing/**/*'], workspace: ['vitest.config.mts', 'tsconfig*.json'], adaptersRoot: ['tsconfig*.json'] };

/** File patterns (relative to an adapter folder) that are tests, never render or lock input. */
export const ADAPTER_TEST_PATTERNS = ['**/*.spec.{ts,mts,cts,js,mjs,cjs}', '**/*.test.{ts,mts,cts,js,mjs,cjs}', '**/__fixtures__/**/*', '**/tests/**/*'];
