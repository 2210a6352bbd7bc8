/** Targets of an adapter project (pure): lint and, when the adapter has specs, test (names: options.ts). */
import type { TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import { LINT_EXECUTOR } from '../constants';
import type { LintExecutorSchema } from '../executors/lint/schema';
import type { NormalizedOptions } from '../options';
import { engineInputs, testSupportInputs, type EngineLocation } from './engine';
import type { AdapterInfo } from './read-project-files';
import type { VitestSetup } from './vitest-setup';

const TECH = ['ztc'];

/** The engine's vitest.adapter.mjs as vitest reads `--config` with `--root`: relative to the adapter's folder. */
function adapterConfig(root: string, engine: EngineLocation): string {
  const file = `${engine.dir}/vitest.adapter.mjs`;
  return file.startsWith('/') ? file : posix.relative(root, file);
}

export function createAdapterTargets(info: AdapterInfo, opts: NormalizedOptions, engine: EngineLocation, vitest: VitestSetup = 'root'): Record<string, TargetConfiguration> {
  const { name, root } = info.manifest;
  const targets: Record<string, TargetConfiguration> = {
    [opts.targets.lint]: {
      executor: LINT_EXECUTOR,
      options: { adapter: name } satisfies LintExecutorSchema,
      cache: true,
      inputs: ['ztc-source', ...engineInputs(engine, opts), { runtime: opts.shellcheckVersionCommand }],
      outputs: [],
      metadata: {
        technologies: TECH,
        description: info.hasScripts
          ? 'shellcheck the scripts; check adapter.yaml against its schema and the templates for syntax'
          : 'Check adapter.yaml against its schema and the templates for syntax',
      },
    },
  };
  if (info.hasSpecs && vitest !== 'none') {
    targets[opts.targets.test] = {
      executor: 'nx:run-commands',
      // The workspace's vitest directly, not through npx (~0.5 s per call to find it again). With the
      // root config (vitest-setup.ts), filtered to the folder: the trailing slash keeps adapters/foo/ from
      // also matching adapters/foo-bar/; else with the adapter's folder as vitest's root and the engine's
      // vitest.adapter.mjs as config (vitest would otherwise read the root config from the working directory).
      options: { command: vitest === 'root' ? `node_modules/.bin/vitest run ${root}/` : `node_modules/.bin/vitest run --root ${root} --config ${adapterConfig(root, engine)}` },
      cache: true,
      inputs: ['{projectRoot}/**/*', ...engineInputs(engine, opts, ['vitest']), ...testSupportInputs(engine, opts)],
      outputs: [],
      metadata: { technologies: TECH, description: `Run the adapter's specs (vitest, ${root}/**/*.spec.ts)` },
    };
  }
  return targets;
}
