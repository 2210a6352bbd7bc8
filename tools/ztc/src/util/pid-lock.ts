/**
 * Lock files that name their holder (pid, host, process start time) and that a later process may take
 * over once the holder is gone, without two processes ever both believing they hold the lock.
 *
 * - Taking a free lock is one `link(2)` of a fully written temp file: it fails if the lock exists, and
 *   the lock never exists half-written, so a reader never mistakes an empty file for a stale one.
 * - Taking over a stale lock (its holder is dead) is a compare-and-swap: the taker first creates a
 *   marker named after the stale lock's exact content (which includes a random nonce, so it is unique
 *   to that lock instance). Only the one process that creates the marker may replace that content; it
 *   checks the lock still holds it and renames its own file over it. A marker whose creator died in
 *   that instant is skipped by trying the next generation of marker, so a crash never blocks the lock.
 * - Releasing removes the lock only while it still holds this process's content.
 * A lock held on another host (a shared file system) cannot be checked, so it is never taken over.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { sha256 } from './hash';
import { isSameProcessAlive, processStartTime } from './process-identity';

export interface LockHolder {
  pid: number;
  host: string;
  /** Start time of the holder (see processStartTime); absent in locks written by older versions. */
  started?: string;
}

export type LockAttempt = { held: true; release: () => void } | { held: false; holder: LockHolder };

/** Generations of takeover markers tried for one stale lock before giving up (each needs a crash). */
const MAX_GENERATIONS = 16;

/** `pid@host`, as messages name a holder. */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}`;
}

function parseHolder(text: string): LockHolder {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number') return { pid: v.pid, host: typeof v.host === 'string' ? v.host : hostname(), started: typeof v.started === 'string' ? v.started : undefined };
  } catch {
    /* a lock of an older version: just the pid */
  }
  return { pid: Number(text.trim()), host: hostname() };
}

/** Whether the holder may still be running (a holder on another host always may). */
function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid && h.started === undefined) return false; // an old-format lock of a pid reused by us
  return isSameProcessAlive(h.pid, h.started);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Write `content` to a fresh temp file next to `file`; returns its path. */
function writeTemp(file: string, content: string): string {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  return tmp;
}

/** `link` that reports EEXIST as false. */
function linkExclusive(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Replace the stale lock content `stale` with the file `tmp`, if this process wins the right to.
 * @returns true when `tmp` is now the lock
 */
function takeOver(file: string, stale: string, tmp: string, identity: string): boolean {
  const tag = sha256(stale).slice(0, 16);
  for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
    const marker = `${file}.takeover-${tag}-${generation}`;
    const mine = writeTemp(file, identity);
    let won: boolean;
    try {
      won = linkExclusive(mine, marker);
    } finally {
      rmSync(mine, { force: true });
    }
    if (!won) {
      const owner = read(marker);
      if (owner !== undefined && holderAlive(parseHolder(owner))) return false; // someone is taking it over now
      continue; // its creator died (or it was just removed): the next generation decides
    }
    try {
      if (read(file) !== stale) return false; // taken over or released meanwhile
      renameSync(tmp, file);
      return true;
    } finally {
      rmSync(marker, { force: true });
    }
  }
  return false;
}

/** Remove temp files and takeover markers that dead processes left next to `file`. */
function sweep(file: string): void {
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const rest = name.slice(prefix.length);
    const path = join(dirname(file), name);
    if (rest.startsWith('tmp-')) {
      if (!isSameProcessAlive(Number(rest.split('-')[1]), undefined)) rmSync(path, { force: true });
    } else if (rest.startsWith('takeover-')) {
      const owner = read(path);
      if (owner === undefined || !holderAlive(parseHolder(owner))) rmSync(path, { force: true });
    }
  }
}

/**
 * Try once to take the lock `file` (its folder is created). Never waits: when a live process holds
 * it, the result names that holder.
 */
export function tryLock(file: string): LockAttempt {
  mkdirSync(dirname(file), { recursive: true });
  const me: LockHolder & { nonce: string } = { pid: process.pid, host: hostname(), started: processStartTime(process.pid), nonce: randomBytes(8).toString('hex') };
  const identity = `${JSON.stringify(me)}\n`;
  const tmp = writeTemp(file, identity);
  const won = (): LockAttempt => {
    sweep(file);
    return { held: true, release: () => release(file, identity) };
  };
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (linkExclusive(tmp, file)) return won();
      const current = read(file);
      if (current === undefined) continue; // released meanwhile
      const holder = parseHolder(current);
      if (holderAlive(holder)) return { held: false, holder };
      if (takeOver(file, current, tmp, identity)) return won();
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const current = read(file);
  return { held: false, holder: current === undefined ? { pid: Number.NaN, host: hostname() } : parseHolder(current) };
}

function release(file: string, identity: string): void {
  if (read(file) === identity) rmSync(file, { force: true });
}

/** Sleep without an event loop (the render path is synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
