/**
 * `planBootstrap`: what bootstrap would run and what is already done, and for each changed step what
 * changed, read from pipeline.yaml, the receipts and (read-only) the secrets and the private dir's
 * digest key: nothing is run or written. A secret value that is not available (neither in the
 * environment nor in the `ztc init` secrets file) makes the step's state `unknown`, never a guess.
 * `ztc plan` prints it; the Nx layer can show it too.
 */
import type { Stage } from '../constants';
import { ConfigError } from '../errors';
import { envWithPlatformSecrets } from '../secrets/platform-secrets';
import { allSecretNames, readPipeline } from './pipeline-file';
import { resolvePrivateDir } from './private-dir';
import type { Change } from './receipt-changes';
import { stepState, type StepStatus } from './receipts';
import { SecretDigester } from './secret-digests';
import { PREFLIGHT, stateArea, type StateArea } from '../workspace/state-area';

export interface PlanEntry {
  step: string;
  stage: Stage | typeof PREFLIGHT;
  adapter: string;
  description: string;
  /** Workspace-relative script path. */
  script: string;
  timeout_seconds: number;
  /** Names only; values never leave the environment. */
  secret_env: string[];
  required: boolean;
  /** What the step may disrupt on a live system (adapter.yaml `disruptive:`); absent when nothing. */
  disruptive?: string;
  status: StepStatus;
  /** For `changed`: what changed since its receipt (never a secret's value). */
  changes: Change[];
  /** Secrets whose value plan could not read: whether they changed is unknown. */
  secrets_unknown: string[];
}

/**
 * @param area where the receipts are read: the checkout's cache, or the s3 state backend's read-only view (state/backend.ts planView)
 * @param env where secret values come from (with the platform's `ztc init` secrets file filling in), and
 *   ZTC_PRIVATE_DIR / XDG_STATE_HOME for the digest key. @default process.env
 */
export function planBootstrap(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv = process.env, area: StateArea = stateArea(workspaceRoot, platform)): PlanEntry[] {
  const pipeline = readPipeline(workspaceRoot, platform);
  const digester = secretDigester(workspaceRoot, platform, env, allSecretNames(pipeline));
  const entry = (stage: PlanEntry['stage'], s: (typeof pipeline.preflight)[number], state: ReturnType<typeof stepState>): PlanEntry => ({
    step: s.id,
    stage,
    adapter: s.adapter,
    description: s.description,
    script: s.script,
    timeout_seconds: s.timeout_seconds,
    secret_env: [...s.secret_env],
    required: s.required,
    ...(s.disruptive !== undefined && { disruptive: s.disruptive }),
    status: state.status,
    changes: state.changes,
    secrets_unknown: state.secretsUnknown,
  });
  const always = { status: 'always' as const, changes: [], secretsUnknown: [] };
  return [
    ...pipeline.preflight.map((s) => entry(PREFLIGHT, s, always)),
    ...pipeline.stages.flatMap((stage) => stage.steps.map((s) => entry(stage.name, s, stepState(area, stage.name, s, digester.of(s))))),
  ];
}

/**
 * Values as bootstrap would see them; the key read from the private dir as bootstrap finds it. An
 * invalid platform.yaml (plan reports it as a problem) leaves the private dir unknown, and so the secrets.
 */
export function secretDigester(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv, names: ReadonlySet<string>): SecretDigester {
  let privateDir: string | undefined;
  try {
    privateDir = resolvePrivateDir(workspaceRoot, platform, env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  return new SecretDigester(privateDir, envWithPlatformSecrets(workspaceRoot, platform, env, names));
}
