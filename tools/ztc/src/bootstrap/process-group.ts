/**
 * Process liveness and process-group termination. A step runs as the leader of its own process group,
 * so everything it starts (background jobs, pipelines) can be stopped together: TERM to the group,
 * then KILL once the grace period is over (CONTRACT §6). Zombies count as dead: in a container whose
 * PID 1 does not reap orphans, a killed background child stays a zombie forever.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isProcessAlive, signalReaches } from '../util/process-identity';

export { isProcessAlive };

const POLL_MS = 25;

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
