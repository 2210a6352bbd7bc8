/**
 * One bootstrap per platform at a time: two runs would execute the same scripts against the same
 * machines and write the same receipts. `platforms/<p>/.ztc/run.lock` holds the pid of the running ztc;
 * a lock whose process is gone (ztc was killed) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import { isProcessAlive } from './process-group';
import type { StateArea } from './state-area';

/** Take the platform's run lock; returns the function that releases it. */
export function acquireRunLock(area: StateArea): () => void {
  const file = area.abs(area.runLockFile);
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch {
      /* released meanwhile */
    }
    if (isProcessAlive(holder) && holder !== process.pid) {
      throw new ExitError(
        `another bootstrap of ${area.platform} is running (pid ${holder}); wait for it to finish (lock: ${area.runLockFile})`,
        ExitCode.invalid,
      );
    }
    rmSync(file, { force: true }); // stale: its ztc is gone
  }
  throw new ExitError(`could not take the run lock ${area.runLockFile}`, ExitCode.failed);
}
