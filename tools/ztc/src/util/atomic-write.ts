/**
 * Atomic file replacement: write a sibling temp file (with the final mode), fsync it, rename it over the
 * target. A reader sees the old bytes or the new ones, never a partial file, also when ztc is killed.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file. @default 0o644 */
  mode?: number;
  /** Mode for parent folders that have to be created. @default 0o755 */
  dirMode?: number;
}

export function writeFileAtomic(path: string, content: string, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o755 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', opts.mode ?? 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
