/** Options of the ZTC Nx plugin (`nx.json` → plugins → `{ plugin: './tools/ztc/nx-plugin.js', options }`). */

export interface ZtcPluginOptions {
  /**
   * npm packages whose installed version is part of every render, lint and test cache key (instead of
   * Nx's default: any lockfile change invalidates everything). Add a package here when an adapter's
   * render module imports it.
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

export type NormalizedOptions = Required<ZtcPluginOptions>;

export const DEFAULT_EXTERNAL_DEPENDENCIES = ['yaml', 'ajv', 'ajv-formats', 'semver'];

export function normalizeOptions(options: ZtcPluginOptions | undefined): NormalizedOptions {
  return {
    externalDependencies: [...(options?.externalDependencies ?? DEFAULT_EXTERNAL_DEPENDENCIES)].sort(),
    shellcheckVersionCommand:
      options?.shellcheckVersionCommand ?? 'shellcheck --version 2>/dev/null || echo no-shellcheck',
  };
}
