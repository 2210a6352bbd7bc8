/**
 * Targets of a platform project (pure). Rendering is a task graph: `split-config` validates
 * platform.yaml and writes one config slice per adapter, one cached `render-<adapter>` task per adapter
 * follows the platform's resolved capability graph, and `render` assembles generated/, pipeline.yaml and
 * lock.json from their results. Each task hashes exactly what it reads, so a change re-runs only the
 * tasks it reaches, and a re-render whose payload is unchanged stops there (early cut-off).
 */
import type { TargetConfiguration } from '@nx/devkit';
import { STAGES } from '../../constants';
import {
  BOOTSTRAP_TARGET,
  DEP_OUTPUT_GLOBS,
  ENGINE_INPUTS,
  RENDER_EXECUTOR,
  RENDER_TARGET,
  SPLIT_CONFIG_TARGET,
  VALIDATE_TARGET,
  ZTC_BIN,
  adapterRenderTarget,
  renderPaths,
  stageTarget,
} from '../constants';
import type { RenderExecutorSchema } from '../executors/render/schema';
import type { NormalizedOptions } from '../options';
import { adapterInput, engineInputs } from './inputs';
import type { PlatformInfo } from './read-project-files';

const TECH = ['ztc'];
const ws = (rel: string): string => `{workspaceRoot}/${rel}`;

export function createPlatformTargets(platform: PlatformInfo, opts: NormalizedOptions): Record<string, TargetConfiguration> {
  const p = platform.name;
  const targets: Record<string, TargetConfiguration> = {};
  targets[SPLIT_CONFIG_TARGET] = {
    executor: RENDER_EXECUTOR,
    options: { platform: p, step: 'config' } satisfies RenderExecutorSchema,
    cache: true,
    inputs: [
      '{projectRoot}/platform.yaml',
      adapterInput('ztc-manifest', platform.order),
      ...engineInputs(opts),
    ],
    outputs: [ws(renderPaths.configDir(p))],
    metadata: {
      technologies: TECH,
      description: 'Check platform.yaml and write the slice of it each adapter renders from',
      help: { command: `${ZTC_BIN} render --help`, example: {} },
    },
  };
  for (const a of platform.order) {
    targets[adapterRenderTarget(a)] = {
      executor: RENDER_EXECUTOR,
      options: { platform: p, step: 'adapter', adapter: a } satisfies RenderExecutorSchema,
      cache: true,
      dependsOn: [SPLIT_CONFIG_TARGET, ...(platform.dependsOn.get(a) ?? []).map(adapterRenderTarget)],
      inputs: [
        adapterInput('ztc-render-source', [a]),
        { dependentTasksOutputFiles: DEP_OUTPUT_GLOBS.adapterInputs(a), transitive: false },
        ...engineInputs(opts),
      ],
      // The stamp travels with the outputs, so early cut-off keeps working after a restore from cache.
      outputs: [ws(renderPaths.adapterOutput(p, a)), ws(renderPaths.capabilities(p, a)), ws(renderPaths.stamp(p, a))],
      metadata: {
        technologies: TECH,
        description: `Render adapter ${a} for platform ${p} (its files and the capabilities it provides)`,
      },
    };
  }
  targets[RENDER_TARGET] = {
    executor: RENDER_EXECUTOR,
    options: { platform: p, step: 'assemble' } satisfies RenderExecutorSchema,
    cache: true,
    dependsOn: platform.order.map(adapterRenderTarget),
    inputs: [
      '{projectRoot}/platform.yaml',
      adapterInput('ztc-source', platform.order),
      { dependentTasksOutputFiles: DEP_OUTPUT_GLOBS.adapterOutputs, transitive: false },
      ...engineInputs(opts),
    ],
    outputs: ['{projectRoot}/generated', '{projectRoot}/pipeline.yaml', '{projectRoot}/lock.json'],
    metadata: {
      technologies: TECH,
      description: `Render platform ${p}: generated/, pipeline.yaml and lock.json (same bytes as "ztc render ${p}")`,
      help: { command: `${ZTC_BIN} render --help`, example: { args: [p] } },
    },
  };
  targets[VALIDATE_TARGET] = {
    executor: 'nx:run-commands',
    options: { command: `${ZTC_BIN} validate ${p}` },
    cache: false,
    metadata: {
      technologies: TECH,
      description: 'Re-render in memory and report drift against lock.json and the files on disk (never cached)',
      help: { command: `${ZTC_BIN} validate --help`, example: { args: [p] } },
    },
  };
  Object.assign(targets, stageTargets(platform, opts));
  return targets;
}

/**
 * The bootstrap chain: stage-pre-work → stage-bootstrap → stage-post-work → stage-validation →
 * bootstrap. A cached stage restores its receipts and the state dir (never secrets: the CLI masks its
 * output and writes none), so another machine resumes where the last one stopped. Validation always runs.
 * What render wrote and what earlier stages left are read through `dependentTasksOutputFiles`: plain file
 * inputs would be hashed as they were when nx started, before render ran in the same invocation.
 */
function stageTargets(platform: PlatformInfo, opts: NormalizedOptions): Record<string, TargetConfiguration> {
  const p = platform.name;
  const stateArea = '{projectRoot}/.ztc';
  const targets: Record<string, TargetConfiguration> = {};
  STAGES.forEach((stage, i) => {
    const cache = stage !== 'validation';
    const previous = i === 0 ? [] : [stageTarget(STAGES[i - 1]!)];
    targets[stageTarget(stage)] = {
      executor: 'nx:run-commands',
      options: { command: `${ZTC_BIN} bootstrap ${p} --stage ${stage}` },
      cache,
      dependsOn: cache ? [RENDER_TARGET, ...previous] : previous,
      ...(cache && {
        inputs: [
          '{projectRoot}/platform.yaml',
          adapterInput('ztc-source', platform.order),
          { dependentTasksOutputFiles: '**/*', transitive: false },
          { dependentTasksOutputFiles: '**/.ztc/receipts/**/*', transitive: false },
          { dependentTasksOutputFiles: '**/.ztc/state/**/*', transitive: false },
          ...ENGINE_INPUTS,
          { externalDependencies: [...opts.externalDependencies, 'execa'] },
        ],
        outputs: [`${stateArea}/receipts/${stage}`, `${stateArea}/state`],
      }),
      metadata: {
        technologies: TECH,
        description: `Run the ${stage} stage of pipeline.yaml${cache ? '' : ' (never cached)'}`,
        help: { command: `${ZTC_BIN} bootstrap --help`, example: { args: [p, '--stage', stage] } },
      },
    };
  });
  targets[BOOTSTRAP_TARGET] = {
    executor: 'nx:noop',
    cache: false,
    dependsOn: [stageTarget('validation')],
    metadata: { technologies: TECH, description: `Run the whole pipeline of ${p}, stage by stage` },
  };
  return targets;
}

/** Target groups shown by `nx show project` / the graph UI. */
export function platformTargetGroups(platform: PlatformInfo): Record<string, string[]> {
  return {
    render: [SPLIT_CONFIG_TARGET, ...platform.order.map(adapterRenderTarget), RENDER_TARGET, VALIDATE_TARGET],
    bootstrap: [...STAGES.map(stageTarget), BOOTSTRAP_TARGET],
  };
}
