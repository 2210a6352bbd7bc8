/**
 * The environment of a step (CONTRACT §6): the caller's environment without any secret the pipeline
 * declares, plus the ZTC_* variables and KUBECONFIG, plus exactly the secrets this step declares. A step therefore
 * never sees another step's secret, even when the caller exported all of them.
 */
import { join } from 'node:path';
import type { PipelineStep } from '../render/pipeline';

/** The admin kubeconfig of the platform's cluster, in the private dir (kubernetes-api `kubeconfig_file`). */
export const KUBECONFIG_FILE = 'kubeconfig';

/** Set by the runner for each step; a caller's value never leaks through. */
const RUNNER_VARS = new Set(['ZTC_CONTEXT_FILE', 'ZTC_LIB_DIR', 'ZTC_STEP_DEADLINE', 'ZTC_STEP_TOKEN']);

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
  privateDir: string;
}

/** ZTC_CONTEXT_FILE, ZTC_LIB_DIR, ZTC_STEP_DEADLINE and ZTC_STEP_TOKEN are added by the runner, which creates the files, starts the clock and makes the token. */
export function buildStepEnv(input: StepEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.base)) {
    if (value !== undefined && !input.allSecretNames.has(name) && !RUNNER_VARS.has(name)) env[name] = value;
  }
  Object.assign(env, {
    ZTC_PLATFORM: input.platform,
    ZTC_STAGE: input.stage,
    ZTC_STEP: input.step.id,
    ZTC_WORKSPACE_ROOT: input.workspaceRoot,
    ZTC_GENERATED_DIR: input.generatedDir,
    ZTC_STATE_DIR: input.stateDir,
    ZTC_PRIVATE_DIR: input.privateDir,
    // The platform's cluster, never the operator's current kubectl context (docs/bootstrap.md).
    KUBECONFIG: join(input.privateDir, KUBECONFIG_FILE),
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
