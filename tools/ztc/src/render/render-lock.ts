/**
 * Renders of one platform are serialized: `applyRenderPlan` (the only writer of generated/, pipeline.yaml
 * and lock.json, used by `ztc render` and the Nx render batch alike) holds `platforms/<p>/.ztc/render.lock`
 * while it clears leftovers of interrupted renders, builds its work dir and swaps it in. A second render
 * waits for the first (renders take well under a second), and gives up with exit 3 naming the holder
 * when the wait runs out. A lock left by a dead render is taken over (util/pid-lock).
 */
import { basename, join } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import { STATE_AREA_DIR } from '../workspace/state-area';
import { describeHolder, sleepSync, tryLock } from '../util/pid-lock';

/** How long a render waits for another render of the same platform. */
export const DEFAULT_RENDER_LOCK_WAIT_MS = 30_000;
/** Environment variable that changes the wait (seconds; 0 = fail at once). */
export const RENDER_LOCK_WAIT_ENV = 'ZTC_RENDER_LOCK_WAIT_SECONDS';
const POLL_MS = 50;

/** The wait configured in `env`, in ms. */
export function renderLockWaitMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env[RENDER_LOCK_WAIT_ENV]);
  return env[RENDER_LOCK_WAIT_ENV] !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_RENDER_LOCK_WAIT_MS;
}

/** Take the render lock of the platform in `platformDir`, waiting up to `waitMs`; returns its release. */
export function acquireRenderLock(platformDir: string, waitMs: number): () => void {
  const lockFile = `${STATE_AREA_DIR}/render.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const attempt = tryLock(join(platformDir, lockFile));
    if (attempt.held) return attempt.release;
    if (Date.now() >= deadline) {
      const platform = basename(platformDir);
      throw new ExitError(
        `another render of platform ${platform} is running (${describeHolder(attempt.holder)}); gave up after ${waitMs / 1000} s (lock: ${join(platformDir, lockFile)}; ${RENDER_LOCK_WAIT_ENV} sets the wait)`,
        ExitCode.invalid,
      );
    }
    sleepSync(POLL_MS);
  }
}
