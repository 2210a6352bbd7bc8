/**
 * The one place ZTC runs an adapter script (CONTRACT §6). The script is copied into a fresh private
 * temp dir with its context JSON and run there as `bash <script>` (argv array, no shell string) in a
 * process group of its own, with exactly the environment it is given. Its output comes back line by
 * line, already masked. The runner enforces the timeout itself (TERM to the group, KILL after a grace
 * period, exit 124), stops the group when the caller aborts, never lets a process of the step outlive
 * it, and always removes the temp dir.
 */
import { MaskedLines, type Masker } from './masker';
import { isGroupAlive, terminateGroup } from './process-group';
import { createSecureDir } from './secure-dir';
import { exitCodeForAbort } from './signals';

export type OutputStream = 'stdout' | 'stderr';
export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'interrupted';

export interface RunScriptOptions {
  /** Script bytes, already checked against the pipeline's sha256. */
  script: Uint8Array;
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
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export async function runScript(opts: RunScriptOptions): Promise<RunScriptResult> {
  const started = Date.now();
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (opts.signal?.aborted) return { status: 'interrupted', exitCode: exitCodeForAbort(opts.signal.reason), durationMs: 0 };
  const dir = createSecureDir(opts.tmpRoot);
  try {
    const scriptPath = dir.writeFile(opts.fileName, opts.script, 0o700);
    const contextFile = dir.writeFile('context.json', `${JSON.stringify(opts.context, null, 2)}\n`, 0o600);
    const rewrite = (line: string) => line.split(scriptPath).join(opts.displayPath).split(dir.path).join('$ZTC_TMPDIR');
    const streams = {
      stdout: new MaskedLines(opts.masker, (l) => opts.onLine('stdout', rewrite(l))),
      stderr: new MaskedLines(opts.masker, (l) => opts.onLine('stderr', rewrite(l))),
    };
    const { execa } = await import('execa');
    const child = execa('bash', [scriptPath], {
      cwd: dir.path,
      env: { ...opts.env, ZTC_CONTEXT_FILE: contextFile },
      extendEnv: false,
      detached: true, // own process group, so the whole tree can be stopped
      cleanup: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
    });
    const pgid = child.pid;
    let ending: 'timeout' | 'abort' | undefined;
    let stopping: Promise<boolean> | undefined;
    const stop = (why: 'timeout' | 'abort' | 'leftovers') => {
      if (why !== 'leftovers') ending ??= why;
      if (pgid !== undefined) stopping ??= terminateGroup(pgid, grace);
    };
    const onAbort = () => stop('abort');
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (pgid !== undefined) dir.recordProcessGroup(pgid);
    child.stdout?.on('data', (c: Buffer) => streams.stdout.write(c));
    child.stderr?.on('data', (c: Buffer) => streams.stderr.write(c));
    // bash is gone but its background jobs may live on and hold the pipes open: stop them too.
    child.once('exit', () => {
      clearTimeout(timer);
      if (pgid !== undefined && isGroupAlive(pgid)) stop('leftovers');
    });
    let result: Awaited<typeof child>;
    try {
      result = await child;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      await stopping;
      streams.stdout.end();
      streams.stderr.end();
    }
    const durationMs = Date.now() - started;
    if (ending === 'timeout') return { status: 'timed_out', exitCode: 124, durationMs };
    if (ending === 'abort') return { status: 'interrupted', exitCode: exitCodeForAbort(opts.signal?.reason), durationMs };
    if (result.exitCode === undefined && !result.signal) {
      opts.onLine('stderr', opts.masker.mask(`ztc: could not start bash: ${result.shortMessage ?? result.message}`));
      return { status: 'failed', exitCode: 127, durationMs };
    }
    const exitCode = result.exitCode ?? 128 + (SIGNAL_NUMBERS[result.signal ?? ''] ?? 0);
    return { status: exitCode === 0 ? 'succeeded' : 'failed', exitCode, durationMs };
  } finally {
    dir.remove();
  }
}
