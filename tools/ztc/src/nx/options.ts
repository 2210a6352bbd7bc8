/**
 * Options of the ZTC Nx plugin (`nx.json` → plugins → `{ plugin: '@ztc/engine/plugin', options }`),
 * normalized once. The roots are also what `ztc` reads (workspace/layout.ts), so the CLI and Nx agree.
 * Target names follow Nx's own inferring plugins (`buildTargetName`, …): each can be renamed, and
 * `targetPrefix` prefixes all of them, so ZTC's targets never meet a workspace's own `lint` or `test`.
 */
import { normalizeLayout, type WorkspaceLayout } from '../workspace/layout';

export interface ZtcPluginOptions {
  /**
   * Folder (workspace-relative) with one folder per adapter, each holding an adapter.yaml.
   * @default 'adapters'
   */
  adaptersRoot?: string;
  /**
   * Folder (workspace-relative) with one folder per platform, each holding a platform.yaml.
   * @default 'platforms'
   */
  platformsRoot?: string;
  /**
   * Folder (workspace-relative) of the workspace's capability contracts (`<name>.json`). They add to the
   * contracts the package ships (`@ztc/engine/capabilities`); a workspace contract of the same name wins.
   * @default 'tools/ztc/capabilities'
   */
  capabilitiesRoot?: string;
  /**
   * Prefix of every inferred target name: `'ztc-'` gives `ztc-lint`, `ztc-render`, `ztc-render-<adapter>`,
   * `ztc-stage-bootstrap`, … (`nx add` picks `'ztc-'` when nx.json already has target defaults for one
   * of the names).
   * @default ''
   */
  targetPrefix?: string;
  /** Adapter target: adapter.yaml, templates and shellcheck. @default 'lint' */
  lintTargetName?: string;
  /** Adapter target: the adapter's specs (only when it has some). @default 'test' */
  testTargetName?: string;
  /** Platform target: generated/, pipeline.yaml, lock.json; its per-adapter tasks are `<name>-<adapter>`. @default 'render' */
  renderTargetName?: string;
  /** Platform target: drift check (never cached). @default 'validate' */
  validateTargetName?: string;
  /** Platform target: the whole pipeline; its stages are `stage-<stage>`. @default 'bootstrap' */
  bootstrapTargetName?: string;
  /**
   * npm packages whose installed version is part of every render, lint and test cache key (instead of
   * Nx's default: any lockfile change invalidates everything). Add a package here when an adapter's
   * render module imports it. Where the engine is installed from npm, the engine package itself is added.
   * @default ['yaml', 'ajv', 'ajv-formats', 'semver']
   */
  externalDependencies?: string[];
  /**
   * Command that prints the shellcheck version; its output is part of the lint cache key, so a
   * shellcheck upgrade re-lints every adapter.
   * @default 'shellcheck --version 2>/dev/null || echo no-shellcheck'
   */
  shellcheckVersionCommand?: string;
}

/** Final target names, prefix applied. */
export interface TargetNames {
  lint: string;
  test: string;
  splitConfig: string;
  render: string;
  renderAdapter: (adapter: string) => string;
  validate: string;
  stage: (stage: string) => string;
  bootstrap: string;
}

export interface NormalizedOptions extends WorkspaceLayout {
  targetPrefix: string;
  targets: TargetNames;
  externalDependencies: string[];
  shellcheckVersionCommand: string;
}

export const DEFAULT_EXTERNAL_DEPENDENCIES = ['yaml', 'ajv', 'ajv-formats', 'semver'];

/** Target names when nothing is renamed. */
export const DEFAULT_TARGET_NAMES = { lint: 'lint', test: 'test', render: 'render', validate: 'validate', bootstrap: 'bootstrap' } as const;

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.-]*$/;

function targetName(options: ZtcPluginOptions | undefined, key: keyof typeof DEFAULT_TARGET_NAMES): string {
  const given = options?.[`${key}TargetName`];
  const name = given ?? DEFAULT_TARGET_NAMES[key];
  if (!TARGET_NAME.test(name)) throw new Error(`ZTC plugin option ${key}TargetName: "${name}" is not a valid target name`);
  return name;
}

export function normalizeOptions(options: ZtcPluginOptions | undefined): NormalizedOptions {
  const prefix = options?.targetPrefix ?? '';
  if (prefix !== '' && !TARGET_NAME.test(prefix)) throw new Error(`ZTC plugin option targetPrefix: "${prefix}" cannot start a target name`);
  const name = (key: keyof typeof DEFAULT_TARGET_NAMES): string => `${prefix}${targetName(options, key)}`;
  const render = name('render');
  return {
    ...normalizeLayout(options),
    targetPrefix: prefix,
    targets: {
      lint: name('lint'),
      test: name('test'),
      splitConfig: `${prefix}split-config`,
      render,
      renderAdapter: (adapter) => `${render}-${adapter}`,
      validate: name('validate'),
      stage: (stage) => `${prefix}stage-${stage}`,
      bootstrap: name('bootstrap'),
    },
    externalDependencies: [...(options?.externalDependencies ?? DEFAULT_EXTERNAL_DEPENDENCIES)].sort(),
    shellcheckVersionCommand: options?.shellcheckVersionCommand ?? 'shellcheck --version 2>/dev/null || echo no-shellcheck',
  };
}
