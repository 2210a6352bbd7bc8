/**
 * The one place ZTC runs an adapter script (CONTRACT §6). The script is copied into a fresh private
 * temp dir with its context JSON and run there as `bash <script>` (argv array, no shell string) in a
 * process group of its own, with exactly the environment it is given. Its output comes back line by
 * line, already masked. The runner enforces the timeout itself (TERM to the group, KILL after a grace
 * period, exit 124), stops the group when the caller aborts, never lets a process of the step outlive
 * it, and always removes the temp dir. Each run gets a random ZTC_STEP_TOKEN in its environment, which
 * every descendant inherits: one that left the process group (`setsid`, a double fork) is found by it
 * under /proc and stopped the same way (process-group.ts terminateTagged).
 */
import { randomBytes } from 'node:crypto';
import type * as Execa from 'execa' with { 'resolution-mode': 'import' };
import type { ResultPromise } from 'execa' with { 'resolution-mode': 'import' };
import { MaskedLines, type Masker } from './masker';
import { isGroupAlive, terminateGroup, terminateTagged } from './process-group';
import { processesWithEnv } from '../util/process-identity';
import { createSecureDir } from './secure-dir';
import { exitCodeForAbort } from './signals';
import { importEsm } from '../util/import-esm';

export type OutputStream = 'stdout' | 'stderr';
export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'interrupted';

export interface RunScriptOptions {
  /** Script bytes, already checked against the pipeline's sha256. */
  script: Uint8Array;
  /** Libraries the script sources, written next to it (ZTC_LIB_DIR is the temp dir). */
  libs?: readonly { name: string; content: Uint8Array }[];
  /** File name inside the temp dir (the script's own base name). */
  fileName: string;
  /** Workspace-relative path shown instead of the temp copy in output (`bash: …: line 3: …`). */
  displayPath: string;
  /** Non-secret context, written to `$ZTC_CONTEXT_FILE` (0600). */
  context: unknown;
  /** Complete environment of the script (see buildStepEnv); ZTC_CONTEXT_FILE is added here. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Time between TERM and KILL. @default 5000 */
  killGraceMs?: number;
  /** Aborting stops the script's process group; the result is then `interrupted`. */
  signal?: AbortSignal;
  /** Where the `ztc-secure-*` dir is created. @default os.tmpdir() */
  tmpRoot?: string;
  masker: Masker;
  onLine(stream: OutputStream, line: string): void;
}

export interface RunScriptResult {
  status: RunStatus;
  /** The script's exit code; 124 on timeout; 130/143 when aborted; 128+n when a signal ended it. */
  exitCode: number;
  durationMs: number;
}

export const DEFAULT_KILL_GRACE_MS = 5000;
/** Set by the runner to a fresh random value for each run of a script; inherited by all its descendants. */
export const STEP_TOKEN_VAR = 'ZTC_STEP_TOKEN';
/** How long output may still arrive after the script's process group is gone. */
const PIPE_DRAIN_MS = 200;
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export async function runScript(opts: RunScriptOptions): Promise<RunScriptResult> {
  const started = Date.now();
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (opts.signal?.aborted) return { status: 'interrupted', exitCode: exitCodeForAbort(opts.signal.reason), durationMs: 0 };
  const dir = createSecureDir(opts.tmpRoot);
  try {
    const scriptPath = dir.writeFile(opts.fileName, opts.script, 0o700);
    const contextFile = dir.writeFile('context.json', `${JSON.stringify(opts.context, null, 2)}\n`, 0o600);
    for (const lib of opts.libs ?? []) dir.writeFile(lib.name, lib.content, 0o600);
    const deadline = Math.floor((started + opts.timeoutMs) / 1000);
    const rewrite = (line: string) => line.split(scriptPath).join(opts.displayPath).split(dir.path).join('<ztc-secure-dir>');
    const streams = {
      stdout: new MaskedLines(opts.masker, (l) => opts.onLine('stdout', rewrite(l))),
      stderr: new MaskedLines(opts.masker, (l) => opts.onLine('stderr', rewrite(l))),
    };
    const token = randomBytes(16).toString('hex');
    const { execa } = await importEsm<typeof Execa>('execa');
    const child = execa('bash', [scriptPath], {
      cwd: dir.path,
      env: { ...opts.env, ZTC_CONTEXT_FILE: contextFile, ZTC_LIB_DIR: dir.path, ZTC_STEP_DEADLINE: String(deadline), [STEP_TOKEN_VAR]: token },
      extendEnv: false,
      detached: true, // own process group, so the whole tree can be stopped
      cleanup: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
    });
    child.stdout?.on('data', (c: Buffer) => streams.stdout.write(c));
    child.stderr?.on('data', (c: Buffer) => streams.stderr.write(c));
    const tokenEntry = `${STEP_TOKEN_VAR}=${token}`;
    if (child.pid !== undefined) dir.recordProcessGroup(child.pid, tokenEntry);
    const outcome = await supervise(child, { ...opts, killGraceMs: grace }, tokenEntry);
    streams.stdout.end();
    streams.stderr.end();
    const durationMs = Date.now() - started;
    if (outcome.ending === 'timeout') return { status: 'timed_out', exitCode: 124, durationMs };
    if (outcome.ending === 'abort') return { status: 'interrupted', exitCode: exitCodeForAbort(opts.signal?.reason), durationMs };
    if (outcome.code === null && outcome.signal === null) {
      opts.onLine('stderr', opts.masker.mask(`ztc: could not start bash: ${outcome.error ?? 'unknown error'}`));
      return { status: 'failed', exitCode: 127, durationMs };
    }
    const exitCode = outcome.code ?? 128 + (SIGNAL_NUMBERS[outcome.signal ?? ''] ?? 0);
    return { status: exitCode === 0 ? 'succeeded' : 'failed', exitCode, durationMs };
  } finally {
    dir.remove();
  }
}

interface Supervised {
  ending?: 'timeout' | 'abort';
  code: number | null;
  signal: string | null;
  error?: string;
}

/**
 * Wait for the script while enforcing the timeout and the abort signal. When bash exits, whatever is
 * left of its group (background jobs) is stopped too, and so is every process that carries the step's
 * token (`tokenEntry`, `ZTC_STEP_TOKEN=…`) after leaving the group. A process that left the group and
 * escaped the token too (it cleared its environment; no /proc on macOS) could hold the output pipes open
 * forever, so once the group is gone the pipes are closed after a moment.
 */
async function supervise(child: ResultPromise, opts: RunScriptOptions & { killGraceMs: number }, tokenEntry: string): Promise<Supervised> {
  const pgid = child.pid;
  const state: Supervised = { code: null, signal: null };
  let stopping: Promise<unknown> | undefined;
  const stop = (why?: 'timeout' | 'abort') => {
    if (why) state.ending ??= why;
    stopping ??= Promise.all([pgid !== undefined && terminateGroup(pgid, opts.killGraceMs), terminateTagged(tokenEntry, opts.killGraceMs)]);
  };
  const onAbort = () => stop('abort');
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let drain: NodeJS.Timeout | undefined;
  child.once('exit', (code, signal) => {
    state.code = code;
    state.signal = signal;
    clearTimeout(timer);
    if ((pgid !== undefined && isGroupAlive(pgid)) || processesWithEnv(tokenEntry).length > 0) stop();
    void (stopping ?? Promise.resolve()).then(() => {
      drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_DRAIN_MS);
    });
  });
  try {
    const result = await child;
    if (result.failed && state.code === null && state.signal === null) state.error = result.shortMessage;
  } finally {
    clearTimeout(timer);
    clearTimeout(drain);
    opts.signal?.removeEventListener('abort', onAbort);
    await stopping;
  }
  return state;
}
