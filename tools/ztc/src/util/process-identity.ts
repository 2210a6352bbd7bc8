/**
 * Which process is which: a pid alone is not an identity (pids are reused, quickly so in containers),
 * so a lock records the pid together with the process's start time from /proc. A holder is alive only
 * when a process with that pid exists, is not a zombie, and started at the recorded time. The one
 * reader of /proc in ztc: also the members of a process group, and the processes that carry a given
 * environment entry (a step's ZTC_STEP_TOKEN, which its descendants inherit even after `setsid`).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Every pid /proc lists; undefined without /proc (macOS). */
export function listPids(): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

export interface ProcessStat {
  /** State letter (`R`, `S`, `Z`, …). */
  state: string;
  ppid: number;
  /** Process group. */
  pgrp: number;
  session: number;
  /** Controlling terminal (0: none). */
  tty: number;
  /** Start time (clock ticks since boot). */
  started: string;
}

/** What /proc/<pid>/stat says of `pid`; undefined when /proc has no entry. */
export function processStat(pid: number): ProcessStat | undefined {
  const f = statFields(pid);
  return f && { state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), tty: Number(f[4]), started: f[19]! };
}

/** The command line of `pid` (arguments joined by spaces, at most `max` characters), '?' when unreadable. */
export function processCommandLine(pid: number, max = 120): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, max);
  } catch {
    return '?';
  }
}

/** The working directory of `pid`, undefined when it cannot be read (gone, another user's, no /proc). */
export function processCwd(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid`'s environment (as it was when the process started its program) holds `entry`
 * (`NAME=value`). Only processes of the same user can be read; others count as not holding it.
 */
export function environHas(pid: number, entry: string): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  const needle = Buffer.from(`${entry}\0`);
  const at = environ.indexOf(needle);
  // A whole entry: at the start, or right after the NUL that ends the previous one.
  for (let i = at; i !== -1; i = environ.indexOf(needle, i + 1)) if (i === 0 || environ[i - 1] === 0) return true;
  return false;
}

/** Live (not zombie) processes other than this one whose environment holds `entry`; [] without /proc. */
export function processesWithEnv(entry: string): number[] {
  return (listPids() ?? []).filter((pid) => pid !== process.pid && environHas(pid, entry) && isProcessAlive(pid));
}

/** Process state letter from /proc (`R`, `S`, `Z`, …), undefined when /proc has no entry. */
export function procState(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** Start time of `pid` (clock ticks since boot, /proc field 22), undefined without /proc. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True when a signal could be sent to `target` (a pid, or -pgid for a group). */
export function signalReaches(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when process `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !signalReaches(pid)) return false;
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}

/** True when `pid` is alive and, if `started` is known, is the very process that started then. */
export function isSameProcessAlive(pid: number, started: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (started === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === started;
}
