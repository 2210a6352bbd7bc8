/**
 * One bootstrap per platform at a time: two runs would execute the same scripts against the same
 * machines and write the same receipts. `platforms/<p>/.ztc/run.lock` names the running ztc (pid, host,
 * start time); a lock whose process is gone (ztc was killed) is taken over atomically (util/pid-lock).
 */
import { ExitCode, ExitError } from '../errors';
import { describeHolder, tryLock } from '../util/pid-lock';
import type { StateArea } from '../workspace/state-area';

/** Take the platform's run lock; returns the function that releases it. */
export function acquireRunLock(area: StateArea): () => void {
  const attempt = tryLock(area.abs(area.runLockFile));
  if (attempt.held) return attempt.release;
  throw new ExitError(`another bootstrap of ${area.platform} is running (${describeHolder(attempt.holder)}); wait for it to finish (lock: ${area.runLockFile})`, ExitCode.invalid, {
    code: 'concurrent_run',
  });
}
