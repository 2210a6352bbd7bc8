/**
 * Targets of a platform project (pure). Rendering is a task graph: `split-config` validates
 * platform.yaml and writes one config slice per adapter, one cached `render-<adapter>` task per adapter
 * follows the platform's resolved capability graph, and `render` assembles generated/, pipeline.yaml and
 * lock.json from their results. Each task hashes exactly what it reads, so a change re-runs only the
 * tasks it reaches, and a re-render whose payload is unchanged stops there (early cut-off). Target
 * names come from the plugin options (options.ts: renamed, prefixed).
 */
import type { TargetConfiguration } from '@nx/devkit';
import { STAGES } from '../../constants';
import { DEP_OUTPUT_GLOBS, RENDER_EXECUTOR, renderPaths } from '../constants';
import type { RenderExecutorSchema } from '../executors/render/schema';
import type { NormalizedOptions } from '../options';
import { engineInputs, ztcCommand, type EngineLocation } from './engine';
import { adapterInput } from './inputs';
import type { PlatformInfo } from './read-project-files';

const TECH = ['ztc'];
const ws = (rel: string): string => `{workspaceRoot}/${rel}`;

export function createPlatformTargets(platform: PlatformInfo, opts: NormalizedOptions, engine: EngineLocation): Record<string, TargetConfiguration> {
  const p = platform.name;
  const dir = platform.root;
  const t = opts.targets;
  const ztc = ztcCommand(engine);
  const targets: Record<string, TargetConfiguration> = {};
  targets[t.splitConfig] = {
    executor: RENDER_EXECUTOR,
    options: { platform: p, step: 'config' } satisfies RenderExecutorSchema,
    cache: true,
    inputs: ['{projectRoot}/platform.yaml', ...adapterInput('ztc-manifest', platform.order, platform.packages), ...engineInputs(engine, opts)],
    outputs: [ws(renderPaths.configDir(dir))],
    metadata: {
      technologies: TECH,
      description: 'Check platform.yaml and write the slice of it each adapter renders from',
      help: { command: `${ztc} render --help`, example: {} },
    },
  };
  for (const a of platform.order) {
    targets[t.renderAdapter(a)] = {
      executor: RENDER_EXECUTOR,
      options: { platform: p, step: 'adapter', adapter: a } satisfies RenderExecutorSchema,
      cache: true,
      dependsOn: [t.splitConfig, ...(platform.dependsOn.get(a) ?? []).map(t.renderAdapter)],
      inputs: [
        ...adapterInput('ztc-render-source', [a], platform.packages),
        { dependentTasksOutputFiles: DEP_OUTPUT_GLOBS.adapterInputs(a), transitive: false },
        ...engineInputs(engine, opts),
      ],
      // The stamp travels with the outputs, so early cut-off keeps working after a restore from cache.
      outputs: [ws(renderPaths.adapterOutput(dir, a)), ws(renderPaths.capabilities(dir, a)), ws(renderPaths.stamp(dir, a))],
      metadata: {
        technologies: TECH,
        description: `Render adapter ${a} for platform ${p} (its files and the capabilities it provides)`,
      },
    };
  }
  targets[t.render] = {
    executor: RENDER_EXECUTOR,
    options: { platform: p, step: 'assemble' } satisfies RenderExecutorSchema,
    cache: true,
    dependsOn: platform.order.map(t.renderAdapter),
    inputs: [
      '{projectRoot}/platform.yaml',
      // The previous pipeline.yaml is what the render-time change check compares with (render/change-check.ts): a cache hit
      // then stands for a render that passed the check from exactly this previous render.
      '{projectRoot}/pipeline.yaml',
      ...adapterInput('ztc-source', platform.order, platform.packages),
      { dependentTasksOutputFiles: DEP_OUTPUT_GLOBS.adapterOutputs, transitive: false },
      ...engineInputs(engine, opts),
    ],
    outputs: ['{projectRoot}/generated', '{projectRoot}/pipeline.yaml', '{projectRoot}/lock.json'],
    metadata: {
      technologies: TECH,
      description: `Render platform ${p}: generated/, pipeline.yaml and lock.json (same bytes as "ztc render ${p}")`,
      help: { command: `${ztc} render --help`, example: { args: [p] } },
    },
  };
  targets[t.validate] = {
    executor: 'nx:run-commands',
    options: { command: `${ztc} validate ${p}` },
    cache: false,
    metadata: {
      technologies: TECH,
      description: 'Re-render in memory and report drift against lock.json and the files on disk (never cached)',
      help: { command: `${ztc} validate --help`, example: { args: [p] } },
    },
  };
  Object.assign(targets, stageTargets(platform, opts, engine));
  return targets;
}

/**
 * The bootstrap chain: stage-pre-work → stage-bootstrap → stage-post-work → stage-validation →
 * bootstrap. A cached stage restores its receipts and the state dir (never secrets: the CLI masks its
 * output and writes none), so another machine resumes where the last one stopped. Validation always runs.
 * Secrets reach the hash only as the receipts' keyed digests, through a `runtime` input (`ztc plan
 * --secret-digests`): a rotation re-runs the stage, and its steps that receive the secret.
 * What render wrote and what earlier stages left are read through `dependentTasksOutputFiles`: plain file
 * inputs would be hashed as they were when nx started, before render ran in the same invocation.
 */
function stageTargets(platform: PlatformInfo, opts: NormalizedOptions, engine: EngineLocation): Record<string, TargetConfiguration> {
  const p = platform.name;
  const t = opts.targets;
  const ztc = ztcCommand(engine);
  const stateArea = '{projectRoot}/.ztc';
  // A failed stage names this command as the way to resume (docs/bootstrap.md).
  const env = { ZTC_RESUME_COMMAND: `npx nx run ${p}:${t.bootstrap}` };
  const targets: Record<string, TargetConfiguration> = {};
  STAGES.forEach((stage, i) => {
    const cache = stage !== 'validation';
    const previous = i === 0 ? [] : [t.stage(STAGES[i - 1]!)];
    targets[t.stage(stage)] = {
      executor: 'nx:run-commands',
      options: { command: `${ztc} bootstrap ${p} --stage ${stage}`, env },
      cache,
      dependsOn: cache ? [t.render, ...previous] : previous,
      ...(cache && {
        inputs: [
          '{projectRoot}/platform.yaml',
          ...adapterInput('ztc-source', platform.order, platform.packages),
          { dependentTasksOutputFiles: '**/*', transitive: false },
          { dependentTasksOutputFiles: '**/.ztc/receipts/**/*', transitive: false },
          { dependentTasksOutputFiles: '**/.ztc/state/**/*', transitive: false },
          ...engineInputs(engine, opts, ['execa']),
          // The keyed digests of the secrets the stage's steps receive (the receipts' HMACs, never a value
          // or a plain hash, unlike an `env` input): a rotated secret is a cache miss, so bootstrap sees it.
          { runtime: `${ztc} plan ${p} --stage ${stage} --secret-digests` },
        ],
        outputs: [`${stateArea}/receipts/${stage}`, `${stateArea}/state`],
      }),
      metadata: {
        technologies: TECH,
        description: `Run the ${stage} stage of pipeline.yaml${cache ? '' : ' (never cached)'}`,
        help: { command: `${ztc} bootstrap --help`, example: { args: [p, '--stage', stage] } },
      },
    };
  });
  targets[t.bootstrap] = {
    executor: 'nx:noop',
    cache: false,
    dependsOn: [t.stage('validation')],
    metadata: { technologies: TECH, description: `Run the whole pipeline of ${p}, stage by stage` },
  };
  return targets;
}

/** Target groups shown by `nx show project` / the graph UI. */
export function platformTargetGroups(platform: PlatformInfo, opts: NormalizedOptions): Record<string, string[]> {
  const t = opts.targets;
  return {
    [t.render]: [t.splitConfig, ...platform.order.map(t.renderAdapter), t.render, t.validate],
    [t.bootstrap]: [...STAGES.map(t.stage), t.bootstrap],
  };
}
