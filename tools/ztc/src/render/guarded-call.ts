/**
 * Running adapter code (loading a render module, calling its render function) so that a module that
 * misbehaves fails the render instead of taking ztc down with it:
 * - a time limit: the call runs under a `node:vm` watchdog, which stops the code that runs too long
 *   (an endless loop, at load or in render) even though it runs on this thread. That costs about 0.1 ms
 *   per call, where a worker thread would cost tens of ms to start and reload the module every render;
 * - `process.exit()` and `process.abort()` throw instead of ending the process, and an exit attempted
 *   counts even when the module catches that error.
 */
import { Script, createContext, type Context } from 'node:vm';

/** Time limit of one load or render call unless ZTC_RENDER_TIMEOUT_SECONDS says otherwise. */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;
export const RENDER_TIMEOUT_ENV = 'ZTC_RENDER_TIMEOUT_SECONDS';

/** Why a guarded call did not return. */
export class GuardedCallError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'exit',
  ) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** The configured time limit in ms (`ZTC_RENDER_TIMEOUT_SECONDS`, a positive number of seconds). */
export function renderTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env[RENDER_TIMEOUT_ENV]);
  return env[RENDER_TIMEOUT_ENV] !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_RENDER_TIMEOUT_MS;
}

let context: Context | undefined;
const RUN = new Script('run()', { filename: 'ztc-guarded-call' });

/**
 * Call `fn` with the time limit and with process.exit disabled. `what` names the call in messages
 * ("render", "loading"). Errors thrown by `fn` pass through unchanged.
 */
export function guardedCall<T>(fn: () => T, what: string, timeoutMs: number = renderTimeoutMs()): T {
  let exitCode: number | string | undefined;
  // Kept to be put back as they were (never called unbound).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realExit = process.exit;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realAbort = process.abort;
  const exited = () => new GuardedCallError(`${what} called ${exitCode === 'abort' ? 'process.abort()' : `process.exit(${String(exitCode)})`}`, 'exit');
  const refuse = (code: number | string | undefined): never => {
    exitCode ??= code ?? 0;
    throw exited();
  };
  process.exit = refuse;
  process.abort = () => refuse('abort');
  let result: T;
  try {
    context ??= createContext({});
    context.run = fn;
    result = RUN.runInContext(context, { timeout: timeoutMs }) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new GuardedCallError(`${what} did not finish within ${timeoutMs / 1000} s and was stopped`, 'timeout');
    }
    if (exitCode !== undefined) throw exited();
    throw e;
  } finally {
    process.exit = realExit;
    process.abort = realAbort;
    if (context) context.run = undefined;
  }
  if (exitCode !== undefined) throw exited();
  return result;
}
