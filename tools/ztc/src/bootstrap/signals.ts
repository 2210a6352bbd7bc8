/**
 * SIGINT / SIGTERM while bootstrap runs: instead of dying at once (and leaving the step's process group
 * and its temp dir behind), ztc turns the signal into an abort. The runner then stops the running
 * step's group and removes its temp dir, no receipt is written, and the run ends with 130 (SIGINT) or
 * 143 (SIGTERM), as CONTRACT §2 documents.
 */
import { ExitCode } from '../errors';

const HANDLED = ['SIGINT', 'SIGTERM'] as const;

/** Exit code for a run aborted with `reason` (the signal name, as passed to AbortController.abort). */
export function exitCodeForAbort(reason: unknown): number {
  return reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
}

/**
 * Run `fn` with an AbortSignal that fires on SIGINT or SIGTERM; the handlers are removed afterwards,
 * so the process's default behaviour is back once `fn` settles.
 */
export async function withTerminationSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = HANDLED.map((name) => [name, () => controller.abort(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  try {
    return await fn(controller.signal);
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}
