/**
 * Private temp dirs for step scripts (`ztc-secure-*` under os.tmpdir(), mode 0700). Each holds the
 * copied script, its context JSON and a pid file naming the ztc process that owns it and the script's
 * process group. The pid file lets a later run tell the dir of a dead run (removed at start, and a
 * script it left running is killed) from the dir of a live concurrent run (left alone).
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCwd, processesWithEnv } from '../util/process-identity';
import { isProcessAlive } from './process-group';

export const SECURE_DIR_PREFIX = 'ztc-secure-';
const PID_FILE = 'ztc.pid';
/** A dir without a pid file younger than this may be in the middle of being created. */
const CREATION_WINDOW_MS = 60_000;

interface PidRecord {
  /** The ztc process that created the dir. */
  owner: number;
  /** Process group of the script running in it, once started. */
  pgid?: number;
  /** The script's ZTC_STEP_TOKEN entry (`ZTC_STEP_TOKEN=…`): finds its processes that left the group. */
  token?: string;
}

export interface SecureDir {
  /** Absolute path of the dir. */
  readonly path: string;
  /** Write `name` into the dir with `mode`; returns its absolute path. */
  writeFile(name: string, content: string | Uint8Array, mode: number): string;
  /** Record the script's process group and token entry, for the stale-dir cleanup of a later run. */
  recordProcessGroup(pgid: number, token?: string): void;
  /** Remove the dir and everything in it (idempotent). */
  remove(): void;
}

/** Create a fresh `ztc-secure-*` dir (0700) under `tmpRoot`. */
export function createSecureDir(tmpRoot: string = tmpdir()): SecureDir {
  const path = mkdtempSync(join(tmpRoot, SECURE_DIR_PREFIX));
  chmodSync(path, 0o700);
  const writeFile = (name: string, content: string | Uint8Array, mode: number): string => {
    const file = join(path, name);
    writeFileSync(file, content, { mode, flag: 'wx' });
    chmodSync(file, mode); // the umask may have narrowed the mode given to open()
    return file;
  };
  const writePid = (record: PidRecord) => writeFileSync(join(path, PID_FILE), JSON.stringify(record), { mode: 0o600 });
  writePid({ owner: process.pid });
  return {
    path,
    writeFile,
    recordProcessGroup: (pgid, token) => writePid({ owner: process.pid, pgid, ...(token && { token }) }),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

function readPidRecord(dir: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dir, PID_FILE), 'utf8')) as PidRecord;
    return typeof record.owner === 'number' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kill a script left running by a dead run, after checking its leader still works in `dir`, and the
 * processes that carry its token after leaving its group (the token is random: nothing else has it).
 */
function killOrphan(dir: string, record: PidRecord | undefined): void {
  const kill = (target: number) => {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const pgid = record?.pgid;
  // A cwd that is not the dir: the pid now belongs to someone else (gone, another user's, no /proc: leave it).
  if (pgid && isProcessAlive(pgid) && processCwd(pgid) === dir) kill(-pgid);
  if (record?.token) for (const pid of processesWithEnv(record.token)) kill(pid);
}

/**
 * Remove the `ztc-secure-*` dirs under `tmpRoot` that belong to this user and to no live ztc process.
 * @returns the names of the dirs removed
 */
export function cleanStaleSecureDirs(tmpRoot: string = tmpdir(), now: number = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(tmpRoot).filter((n) => n.startsWith(SECURE_DIR_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(tmpRoot, name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) continue;
      const record = readPidRecord(dir);
      if (record ? isProcessAlive(record.owner) : now - statSync(dir).mtimeMs < CREATION_WINDOW_MS) continue;
      killOrphan(dir, record);
      rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    } catch {
      /* removed concurrently */
    }
  }
  return removed;
}
