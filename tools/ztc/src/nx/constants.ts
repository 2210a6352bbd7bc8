/**
 * Names, globs and file locations shared by the Nx plugin (which declares targets, inputs and outputs)
 * and the executors (which read and write exactly those files). Keeping both sides here is what keeps a
 * target's declared inputs and outputs in step with what its executor touches.
 */
import { PLATFORMS_DIR } from '../constants';
import { STATE_AREA_DIR } from '../bootstrap/state-area';

/** One glob for both kinds of project file, so one plugin pass sees every adapter before any platform. */
export const PROJECT_FILES_GLOB = '{adapters,platforms}/*/{adapter,platform}.yaml';

/** Executor references, relative to the workspace root (tools/ztc/package.json → executors.json). */
export const RENDER_EXECUTOR = './tools/ztc:render';
export const LINT_EXECUTOR = './tools/ztc:lint';

/** Target names on a platform project. */
export const SPLIT_CONFIG_TARGET = 'split-config';
export const RENDER_TARGET = 'render';
export const VALIDATE_TARGET = 'validate';
export const BOOTSTRAP_TARGET = 'bootstrap';
export const adapterRenderTarget = (adapter: string): string => `render-${adapter}`;
export const stageTarget = (stage: string): string => `stage-${stage}`;

/** Where the per-adapter render tasks keep their results (gitignored, cached by Nx). */
export const RENDER_WORK_DIR = `${STATE_AREA_DIR}/render`;
const platformDir = (platform: string): string => `${PLATFORMS_DIR}/${platform}`;

/** Workspace-relative paths of the intermediate render files. */
export const renderPaths = {
  /** Folder of one platform's intermediate render files. */
  workDir: (platform: string): string => `${platformDir(platform)}/${RENDER_WORK_DIR}`,
  /** split-config output folder: one slice of platform.yaml per adapter. */
  configDir: (platform: string): string => `${platformDir(platform)}/${RENDER_WORK_DIR}/config`,
  /** The slice render-<adapter> reads: validated config, platform metadata, its providers. */
  configSlice: (platform: string, adapter: string): string =>
    `${platformDir(platform)}/${RENDER_WORK_DIR}/config/${adapter}.json`,
  /** The whole AdapterOutput (files, capabilities, scriptContext), read by render. */
  adapterOutput: (platform: string, adapter: string): string =>
    `${platformDir(platform)}/${RENDER_WORK_DIR}/${adapter}.json`,
  /** Only the capability payloads, read by the adapter's consumers (early cut-off). */
  capabilities: (platform: string, adapter: string): string =>
    `${platformDir(platform)}/${RENDER_WORK_DIR}/${adapter}.capabilities.json`,
  /**
   * What the adapter's last render read and wrote (fingerprints), for early cut-off inside a batch.
   * Not `.json`, so no consumer hashes it.
   */
  stamp: (platform: string, adapter: string): string => `${platformDir(platform)}/${RENDER_WORK_DIR}/${adapter}.stamp`,
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

const ENGINE = '{workspaceRoot}/tools/ztc';

/**
 * Engine and plugin code: every cached ZTC task depends on all of it except tests. Render tasks are cheap
 * in a batch, so a stale cache from a missed import is the risk worth avoiding, not an extra re-render.
 */
export const ENGINE_INPUTS = [
  `${ENGINE}/src/**/*`,
  `!${ENGINE}/src/**/*.spec.ts`,
  `!${ENGINE}/src/**/__fixtures__/**/*`,
  `${ENGINE}/schemas/**/*`,
  `${ENGINE}/capabilities/**/*`,
  `${ENGINE}/scripts/**/*`,
  `!${ENGINE}/scripts/**/*.spec.ts`,
  `${ENGINE}/bin/**/*`,
  `${ENGINE}/package.json`,
  `${ENGINE}/executors.json`,
  `${ENGINE}/nx-plugin.js`,
];

/** Files an adapter's tests may use besides the adapter itself. */
export const TEST_SUPPORT_INPUTS = [
  `${ENGINE}/testing/**/*`,
  '{workspaceRoot}/vitest.config.mts',
  '{workspaceRoot}/tsconfig.base.json',
];

/** File patterns (relative to an adapter folder) that are tests, never render or lock input. */
export const ADAPTER_TEST_PATTERNS = [
  '**/*.spec.{ts,mts,cts,js,mjs,cjs}',
  '**/*.test.{ts,mts,cts,js,mjs,cjs}',
  '**/__fixtures__/**/*',
  '**/tests/**/*',
];

/** The CLI, run by the validate and stage targets, so that Nx and the CLI cannot differ. */
export const ZTC_BIN = 'node tools/ztc/bin/ztc.js';
