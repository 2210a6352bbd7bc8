/** Input lists of the inferred targets (pure): which files and packages each cached task hashes. */
import type { TargetConfiguration } from '@nx/devkit';
import { ADAPTER_TEST_PATTERNS, ENGINE_INPUTS } from '../constants';
import type { NormalizedOptions } from '../options';

export type Input = NonNullable<TargetConfiguration['inputs']>[number];

/**
 * An adapter's own files, as workspace-root globs, without its tests (they are not render or lock
 * input) and optionally without `scripts/` (scripts never influence what an adapter renders).
 */
export function adapterSourceInputs(adapterRoot: string, { scripts }: { scripts: boolean }): string[] {
  const root = `{workspaceRoot}/${adapterRoot}`;
  return [
    `${root}/**/*`,
    ...(scripts ? [] : [`!${root}/scripts/**/*`]),
    ...ADAPTER_TEST_PATTERNS.map((p) => `!${root}/${p}`),
  ];
}

/** Engine code plus the npm packages that matter, shared by every cached ZTC target. */
export function engineInputs(opts: NormalizedOptions, extraPackages: string[] = []): Input[] {
  return [...ENGINE_INPUTS, { externalDependencies: [...opts.externalDependencies, ...extraPackages] }];
}
