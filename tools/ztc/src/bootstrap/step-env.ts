/**
 * The environment of a step (CONTRACT §6): the caller's environment without any secret the pipeline
 * declares, plus the ZTC_* variables, plus exactly the secrets this step declares. A step therefore
 * never sees another step's secret, even when the caller exported all of them.
 */
import type { PipelineStep } from '../render/pipeline';

export interface StepEnvInput {
  /** The caller's environment (process.env). */
  base: NodeJS.ProcessEnv;
  /** Every secret env var name declared anywhere in the pipeline. */
  allSecretNames: ReadonlySet<string>;
  step: Pick<PipelineStep, 'id' | 'secret_env'>;
  /** Stage name, or `preflight` for check_health. */
  stage: string;
  platform: string;
  workspaceRoot: string;
  generatedDir: string;
  stateDir: string;
}

/** ZTC_CONTEXT_FILE is added by the runner, which creates the file. */
export function buildStepEnv(input: StepEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.base)) {
    if (value !== undefined && !input.allSecretNames.has(name) && name !== 'ZTC_CONTEXT_FILE') env[name] = value;
  }
  Object.assign(env, {
    ZTC_PLATFORM: input.platform,
    ZTC_STAGE: input.stage,
    ZTC_STEP: input.step.id,
    ZTC_WORKSPACE_ROOT: input.workspaceRoot,
    ZTC_GENERATED_DIR: input.generatedDir,
    ZTC_STATE_DIR: input.stateDir,
  });
  for (const name of input.step.secret_env) {
    const value = input.base[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Values of the declared secrets that are set in `env`: what the masker must hide. */
export function secretValues(env: NodeJS.ProcessEnv, names: Iterable<string>): string[] {
  const values: string[] = [];
  for (const name of names) {
    const v = env[name];
    if (v) values.push(v);
  }
  return values;
}
