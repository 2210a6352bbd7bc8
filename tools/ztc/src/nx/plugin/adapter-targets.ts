/** Targets of an adapter project (pure): `lint` and, when the adapter has specs, `test`. */
import type { TargetConfiguration } from '@nx/devkit';
import { LINT_EXECUTOR, TEST_SUPPORT_INPUTS } from '../constants';
import type { LintExecutorSchema } from '../executors/lint/schema';
import type { NormalizedOptions } from '../options';
import { engineInputs } from './inputs';
import type { AdapterInfo } from './read-project-files';

const TECH = ['ztc'];

export function createAdapterTargets(info: AdapterInfo, opts: NormalizedOptions): Record<string, TargetConfiguration> {
  const { name, root } = info.manifest;
  const targets: Record<string, TargetConfiguration> = {
    lint: {
      executor: LINT_EXECUTOR,
      options: { adapter: name } satisfies LintExecutorSchema,
      cache: true,
      inputs: [
        'ztc-source',
        ...engineInputs(opts),
        { runtime: opts.shellcheckVersionCommand },
      ],
      outputs: [],
      metadata: {
        technologies: TECH,
        description: info.hasScripts
          ? 'shellcheck the scripts; check adapter.yaml against its schema and the templates for syntax'
          : 'Check adapter.yaml against its schema and the templates for syntax',
      },
    },
  };
  if (info.hasSpecs) {
    targets.test = {
      executor: 'nx:run-commands',
      // The trailing slash keeps adapters/foo/ from also matching adapters/foo-bar/.
      options: { command: `npx vitest run ${root}/` },
      cache: true,
      inputs: ['{projectRoot}/**/*', ...engineInputs(opts, ['vitest']), ...TEST_SUPPORT_INPUTS],
      outputs: [],
      metadata: { technologies: TECH, description: `Run the adapter's specs (vitest, ${root}/**/*.spec.ts)` },
    };
  }
  return targets;
}
