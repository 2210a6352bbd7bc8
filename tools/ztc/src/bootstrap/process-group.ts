/**
 * Process liveness and process-group termination. A step runs as the leader of its own process group,
 * so everything it starts (background jobs, pipelines) can be stopped together: TERM to the group,
 * then KILL once the grace period is over (CONTRACT §6). Zombies count as dead: in a container whose
 * PID 1 does not reap orphans, a killed background child stays a zombie forever. A descendant that left
 * the group (`setsid`, a double fork) is found by the step's token in its environment (terminateTagged).
 */
import { environHas, isProcessAlive, listPids, processesWithEnv, processStat, signalReaches } from '../util/process-identity';

export { isProcessAlive };

const POLL_MS = 25;

/** True when group `pgid` has a member that is not a zombie. */
export function isGroupAlive(pgid: number): boolean {
  if (!signalReaches(-pgid)) return false;
  const pids = listPids();
  if (pids === undefined) return true; // no /proc (macOS): the group exists, assume a live member
  return pids.some((pid) => {
    const stat = processStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
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

/**
 * Stop every process (of this user) whose environment holds `entry` (`ZTC_STEP_TOKEN=<token>`): the
 * step's descendants that left its process group. TERM, up to `graceMs` for them to end, then KILL.
 * Finds nothing without /proc (macOS: such a process is not tracked there).
 * @returns the pids that were found
 */
export async function terminateTagged(entry: string, graceMs: number): Promise<number[]> {
  const found = processesWithEnv(entry);
  if (found.length === 0) return found;
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of found) {
      // Checked again right before each signal: a pid that ended may have been reused by another program.
      if (!environHas(pid, entry)) continue;
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  const left = () => found.filter((pid) => isProcessAlive(pid) && environHas(pid, entry));
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && left().length > 0) await sleep(POLL_MS);
  if (left().length > 0) signal('SIGKILL');
  // A process may have forked while being stopped: whatever carries the token now goes too.
  for (const pid of processesWithEnv(entry)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return found;
}
