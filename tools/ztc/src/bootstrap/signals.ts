/**
 * SIGINT / SIGTERM while bootstrap runs: instead of dying at once (and leaving the step's process group
 * and its temp dir behind), ztc turns the signal into an abort. The runner then stops the running
 * step's group and removes its temp dir, no receipt is written, and the run ends with 130 (SIGINT) or
 * 143 (SIGTERM), as CONTRACT §2 documents. The same happens when the process that launched ztc goes
 * away (launcher-watch.ts: a signal sent to npx, npm, nx or a script) and when ztc's output can no
 * longer be written (its reader is gone: `outputClosed`, called by the bin on EPIPE); both end with 143.
 */
import { ExitCode } from '../errors';
import { watchLaunchers, type Launcher } from './launcher-watch';

const HANDLED = ['SIGINT', 'SIGTERM'] as const;

/** Abort reason: the launcher of ztc ended. */
export class LauncherGone {
  constructor(readonly launcher: Launcher) {}
}

/** Abort reason: stdout or stderr can no longer be written. */
export const OUTPUT_CLOSED = 'output closed';

/** Exit code for a run aborted with `reason` (the signal name, as passed to AbortController.abort). */
export function exitCodeForAbort(reason: unknown): number {
  return reason === 'SIGTERM' || reason === OUTPUT_CLOSED || reason instanceof LauncherGone ? ExitCode.terminated : ExitCode.interrupted;
}

/** How an abort reason reads after "bootstrap interrupted". */
export function describeAbort(reason: unknown): string {
  if (reason === 'SIGTERM' || reason === 'SIGINT') return ` by ${reason}`;
  if (reason instanceof LauncherGone) return `: the process that started ztc ended (pid ${reason.launcher.pid}: ${reason.launcher.command})`;
  if (reason === OUTPUT_CLOSED) return ': its output can no longer be written (the reader went away)';
  return '';
}

let active: AbortController | undefined;

/**
 * Stdout or stderr failed with EPIPE. Returns true when a run was going: it is being stopped, and the
 * process ends by itself once the step is cleaned up; false when nothing is running.
 */
export function outputClosed(): boolean {
  if (!active) return false;
  if (!active.signal.aborted) active.abort(OUTPUT_CLOSED);
  process.exitCode ??= ExitCode.terminated; // in case the last words cannot be written either
  return true;
}

/**
 * Run `fn` with an AbortSignal that fires on SIGINT or SIGTERM, when a launcher of ztc ends, or when
 * its output closes; the handlers are removed afterwards, so the process's default behaviour is back
 * once `fn` settles.
 */
export async function withTerminationSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = HANDLED.map((name) => [name, () => controller.abort(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  const unwatch = watchLaunchers((launcher) => controller.abort(new LauncherGone(launcher)));
  const previous = active;
  active = controller;
  try {
    return await fn(controller.signal);
  } finally {
    active = previous;
    unwatch();
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}
