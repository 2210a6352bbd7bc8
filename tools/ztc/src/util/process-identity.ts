/**
 * Which process is which: a pid alone is not an identity (pids are reused, quickly so in containers),
 * so a lock records the pid together with the process's start time from /proc. A holder is alive only
 * when a process with that pid exists, is not a zombie, and started at the recorded time.
 */
import { readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
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
