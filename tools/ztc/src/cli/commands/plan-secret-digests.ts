/**
 * `ztc plan <p> --stage <s> --secret-digests`: what the Nx stage targets hash for the secrets of their
 * stage (a `runtime` input, platform-targets.ts), so a rotated secret is a cache miss instead of a hit
 * that never shows ztc the new value (docs/nx.md, "Bootstrap stages"). It runs on every `nx run` of a
 * stage, before Nx knows whether to run it, so it reads only what it needs (pipeline.yaml, the digest
 * key, the values as plan reads them: the environment, then the `ztc init` secrets file) and never fails:
 * whatever cannot be read becomes a stable marker, and bootstrap, when it runs, reports the real problem.
 *
 * A digest the stage's own receipt in this checkout does not hold (a rotation not applied yet, also back to
 * a value used before) gets a random suffix: Nx must run the stage then, and an entry cached for the same
 * value earlier (a → b → a) would put back receipts that no longer say what the live system has.
 */
import { randomBytes } from 'node:crypto';
import type { Stage } from '../../constants';
import { readPipeline } from '../../bootstrap/pipeline-file';
import { secretDigester } from '../../bootstrap/plan';
import { readReceipt } from '../../bootstrap/receipts';
import { DIGEST_UNKNOWN, secretDigestLines, type SecretDigester } from '../../bootstrap/secret-digests';
import type { Pipeline } from '../../render/pipeline';
import { stateArea } from '../../workspace/state-area';

/** Printed when the stage's steps receive no secret (an empty output would hash the same, but says less). */
export const NO_SECRETS = 'no secrets';
/** Printed when pipeline.yaml cannot be read: the stage cannot run either (bootstrap says why). */
export const NO_PIPELINE = 'pipeline.yaml unknown';
/** Follows a digest that a receipt of the stage in this checkout does not hold, then a random suffix. */
export const NOT_IN_RECEIPT = 'not in its receipt yet, run';

/**
 * Names whose digest differs from the one a receipt of the stage holds here, as bootstrap would find it
 * (`changed`, or written under another key). A step without a receipt here (a fresh checkout; the Nx cache
 * restores it) is left to the cache.
 */
function notInReceipts(workspaceRoot: string, platform: string, stages: Pipeline['stages'], digester: SecretDigester): Set<string> {
  const area = stateArea(workspaceRoot, platform);
  const pending = new Set<string>();
  for (const s of stages) {
    for (const step of s.steps) {
      if (step.secret_env.length === 0) continue;
      const receipt = readReceipt(area, s.name, step);
      if (receipt === undefined) continue;
      const held = receipt.receipt_version === 2 ? (receipt.secret_digests ?? {}) : {};
      for (const [name, digest] of Object.entries(digester.of(step).digests)) if (held[name] !== digest) pending.add(name);
    }
  }
  return pending;
}

/**
 * The lines for the secrets the steps of `stage` receive (every stage's when undefined), as the stage's
 * bootstrap would digest them. Never a value, a plain hash or an error message: a message can quote the
 * secrets file it failed to read.
 */
export function stageSecretDigests(workspaceRoot: string, platform: string, stage: Stage | undefined, env: NodeJS.ProcessEnv): string[] {
  let stages: Pipeline['stages'];
  try {
    stages = readPipeline(workspaceRoot, platform).stages.filter((s) => stage === undefined || s.name === stage);
  } catch {
    return [NO_PIPELINE];
  }
  const names = stages.flatMap((s) => s.steps.flatMap((step) => step.secret_env));
  if (names.length === 0) return [NO_SECRETS];
  try {
    const digester = secretDigester(workspaceRoot, platform, env, new Set(names));
    const pending = notInReceipts(workspaceRoot, platform, stages, digester);
    return secretDigestLines(digester, names).map((line) => {
      const name = line.slice(0, line.indexOf(' '));
      return pending.has(name) ? `${line} ${NOT_IN_RECEIPT} ${randomBytes(8).toString('hex')}` : line;
    });
  } catch {
    // A key file of the wrong size, an unreadable secrets file or private dir: bootstrap refuses with the reason.
    return [...new Set(names)].sort().map((n) => `${n} ${DIGEST_UNKNOWN.unreadable}`);
  }
}
