/**
 * `ztc plan <p> --stage <s> --secret-digests`: what the Nx stage targets hash for the secrets of their
 * stage (a `runtime` input, platform-targets.ts), so a rotated secret is a cache miss instead of a hit
 * that never shows ztc the new value (docs/nx.md, "Bootstrap stages"). It runs on every `nx run` of a
 * stage, before Nx knows whether to run it, so it reads only what it needs (pipeline.yaml, the digest
 * key, the values as plan reads them: the environment, then the `ztc init` secrets file) and never fails:
 * whatever cannot be read becomes a stable marker, and bootstrap, when it runs, reports the real problem.
 */
import type { Stage } from '../../constants';
import { readPipeline } from '../../bootstrap/pipeline-file';
import { secretDigester } from '../../bootstrap/plan';
import { DIGEST_UNKNOWN, secretDigestLines } from '../../bootstrap/secret-digests';

/** Printed when the stage's steps receive no secret (an empty output would hash the same, but says less). */
export const NO_SECRETS = 'no secrets';
/** Printed when pipeline.yaml cannot be read: the stage cannot run either (bootstrap says why). */
export const NO_PIPELINE = 'pipeline.yaml unknown';

/**
 * The lines for the secrets the steps of `stage` receive (every stage's when undefined), as the stage's
 * bootstrap would digest them. Never a value, a plain hash or an error message: a message can quote the
 * secrets file it failed to read.
 */
export function stageSecretDigests(workspaceRoot: string, platform: string, stage: Stage | undefined, env: NodeJS.ProcessEnv): string[] {
  let names: string[];
  try {
    const { stages } = readPipeline(workspaceRoot, platform);
    names = stages.filter((s) => stage === undefined || s.name === stage).flatMap((s) => s.steps.flatMap((step) => step.secret_env));
  } catch {
    return [NO_PIPELINE];
  }
  if (names.length === 0) return [NO_SECRETS];
  try {
    return secretDigestLines(secretDigester(workspaceRoot, platform, env, new Set(names)), names);
  } catch {
    // A key file of the wrong size, an unreadable secrets file or private dir: bootstrap refuses with the reason.
    return [...new Set(names)].sort().map((n) => `${n} ${DIGEST_UNKNOWN.unreadable}`);
  }
}
