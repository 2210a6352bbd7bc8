/**
 * Everything bootstrap decides before it runs anything: the rendered output is current, which steps
 * run and which are skipped (receipts, `--fresh`, `--stage`), the masker for every secret the pipeline
 * declares, and the pre-conditions for exactly the steps that will run (tools, secrets). Shared by a
 * real run and `--dry-run`, so a dry run refuses exactly when a run would.
 */
import { STAGES, type Stage } from '../constants';
import { ExitCode, ExitError } from '../errors';
import type { Pipeline, PipelineStep } from '../render/pipeline';
import { Masker } from './masker';
import { allSecretNames, readPipeline, selectStages } from './pipeline-file';
import { checkRendered, checkSecrets, checkTools } from './preconditions';
import { checkPrivateDir, resolvePrivateDir } from './private-dir';
import { envWithPlatformSecrets } from '../secrets/platform-secrets';
import { describeChange, type Change } from './receipt-changes';
import { stepState, type StepStatus } from './receipts';
import { SecretDigester } from './secret-digests';
import { stateArea, type StateArea } from '../workspace/state-area';
import { secretValues } from './step-env';

export interface PlannedStep {
  step: PipelineStep;
  status: StepStatus;
  /** For `changed`: what changed since its receipt. */
  changes: Change[];
  /** False when a matching receipt lets the step be skipped. */
  run: boolean;
}

export interface PreparedRun {
  area: StateArea;
  /** ZTC_PRIVATE_DIR of this platform (created when the run starts). */
  privateDir: string;
  pipeline: Pipeline;
  masker: Masker;
  allSecretNames: Set<string>;
  /** check_health steps; they run whenever any step runs. */
  preflight: PipelineStep[];
  stages: { name: Stage; steps: PlannedStep[] }[];
  /** Number of stage steps that will run. */
  toRun: number;
  /** The steps' environment: the caller's, with secrets stored by `ztc init` filling in what it does not set. */
  env: NodeJS.ProcessEnv;
  /** Keyed digests of the secrets, for the receipts (the key is made by the first real run). */
  digester: SecretDigester;
}

export interface PrepareOptions {
  workspaceRoot: string;
  platform: string;
  stage?: Stage;
  fresh?: boolean;
  env: NodeJS.ProcessEnv;
  /** The receipts to plan from (default: the checkout's cache); the s3 backend's read-only view for a dry run. */
  area?: StateArea;
  /** The state backend's secret variables (state/config.ts): kept from every step, masked everywhere. */
  hidden?: { names: readonly string[]; values: readonly string[] };
}

export function prepareRun(opts: PrepareOptions): PreparedRun {
  checkRendered(opts.workspaceRoot, opts.platform);
  const pipeline = readPipeline(opts.workspaceRoot, opts.platform);
  const area = opts.area ?? stateArea(opts.workspaceRoot, opts.platform);
  const privateDir = resolvePrivateDir(opts.workspaceRoot, opts.platform, opts.env);
  checkPrivateDir(privateDir);
  const names = allSecretNames(pipeline);
  // Secrets stored by `ztc init` fill in what the environment does not set (the environment wins).
  const env = { ...envWithPlatformSecrets(opts.workspaceRoot, opts.platform, opts.env, names) };
  for (const n of opts.hidden?.names ?? []) if (!names.has(n)) delete env[n];
  const digester = new SecretDigester(privateDir, env);
  if (opts.stage) checkEarlierStagesDone(area, pipeline, opts.stage, digester);
  const stages = selectStages(pipeline, opts.stage).map((s) => ({
    name: s.name,
    steps: s.steps.map((step): PlannedStep => {
      const { status, changes } = stepState(area, s.name, step, digester.of(step));
      return { step, status, changes, run: opts.fresh === true || status !== 'done' };
    }),
  }));
  const running = stages.flatMap((s) => s.steps.filter((p) => p.run).map((p) => ({ stage: s.name, step: p.step })));
  const preflight = running.length > 0 ? pipeline.preflight : [];
  const needed = [...preflight.map((step) => ({ stage: 'preflight', step })), ...running];
  checkTools(pipeline, new Set(needed.map((n) => n.step.adapter)), env);
  checkSecrets(needed, env);
  const masker = new Masker([...secretValues(env, names), ...(opts.hidden?.values ?? [])]);
  checkContextsHoldNoSecret(needed, masker, opts.platform);
  return { area, privateDir, pipeline, masker, allSecretNames: names, preflight, stages, toRun: running.length, env, digester };
}

/** A secret value in a step's context (hard-coded in adapter.yaml) would reach context.json and git. */
export function checkContextsHoldNoSecret(steps: readonly { stage: string; step: PipelineStep }[], masker: Masker, platform: string): void {
  const leaking = steps.filter(({ step }) => masker.finds(JSON.stringify(step.context))).map(({ step }) => step.id);
  if (leaking.length > 0) {
    throw new ExitError(
      `the context of ${leaking.join(', ')} in platforms/${platform}/pipeline.yaml holds the value of a secret env var; pass secrets through secret_env only, never through context`,
      ExitCode.invalid,
    );
  }
}

/** `--stage X` continues a run: every required step of the stages before X must have its receipt. */
function checkEarlierStagesDone(area: StateArea, pipeline: Pipeline, stage: Stage, digester: SecretDigester): void {
  const earlier: readonly Stage[] = STAGES.slice(0, STAGES.indexOf(stage)).filter((s) => s !== 'validation');
  const open = pipeline.stages
    .filter((s) => earlier.includes(s.name))
    .flatMap((s) => s.steps.filter((step) => step.required).map((step) => ({ stage: s.name, step, state: stepState(area, s.name, step, digester.of(step)) })))
    .filter((o) => o.state.status !== 'done');
  if (open.length > 0) {
    const first = open[0]!.stage;
    const reasons = (o: (typeof open)[number]) => [...o.state.changes.map(describeChange), ...o.state.secretsUnknown.map((n) => `secret ${n} has no value here`)];
    const why = (o: (typeof open)[number]) => (o.state.status === 'pending' ? '' : `: ${o.state.status} (${reasons(o).join('; ')})`);
    throw new ExitError(
      `cannot run stage ${stage}: earlier steps are not done:\n${open.map((o) => `  ${o.step.id} (${o.stage})${why(o)}`).join('\n')}\nrun "ztc bootstrap ${area.platform} --stage ${first}" (or the whole bootstrap) first`,
      ExitCode.invalid,
    );
  }
}
