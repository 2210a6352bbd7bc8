/**
 * Process liveness and process-group termination. A step runs as the leader of its own process group,
 * so everything it starts (background jobs, pipelines) can be stopped together: TERM to the group,
 * then KILL once the grace period is over (CONTRACT §6). Zombies count as dead: in a container whose
 * PID 1 does not reap orphans, a killed background child stays a zombie forever.
 */
import { readdirSync, readFileSync } from 'node:fs';

const POLL_MS = 25;

/** Process state letter from /proc (`R`, `S`, `Z`, …), undefined when /proc has no entry. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function signalReaches(target: number): boolean {
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

/** True when group `pgid` has a member that is not a zombie. */
export function isGroupAlive(pgid: number): boolean {
  if (!signalReaches(-pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc (macOS): the group exists, assume a live member
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    } catch {
      /* the process ended while we looked */
    }
  }
  return false;
}

function sendToGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Stop every process in group `pgid`: TERM, wait up to `graceMs` for the group to end, then KILL.
 * Resolves once nothing of the group is alive (or after KILL, which cannot be refused).
 * @returns whether KILL was needed
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<boolean> {
  sendToGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pgid)) return false;
    await sleep(POLL_MS);
  }
  if (!isGroupAlive(pgid)) return false;
  sendToGroup(pgid, 'SIGKILL');
  return true;
}
