/**
 * Drive a program through a real pseudo-terminal (tools/ztc/testing/pty-relay.py, Python's standard
 * `pty` module): wait for text to appear, type keys, read the screen output without ANSI escapes.
 * Used to test the `ztc init` wizard as a user in a terminal meets it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', backspace: '\x7f', ctrlC: '\x03' } as const;

export interface PtySession {
  /** Everything the program wrote, escapes removed. */
  output(): string;
  /** Wait until `text` appears after the previous expect's match; returns the output since then. */
  expect(text: string | RegExp, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  /** Wait for the program to end; its exit code. */
  exit(): Promise<number>;
}

// CSI sequences, OSC sequences, and the lone ESC-x ones (cursor save/restore).
// eslint-disable-next-line no-control-regex -- terminal escape sequences are control characters
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(\x07|\x1b\\)|\x1b[78=>]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

export function ptySpawn(command: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): PtySession {
  const child = spawn('python3', [join(__dirname, 'pty-relay.py'), ...command], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  let consumed = 0;
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    raw += d.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const w of [...waiters]) w();
  });
  return {
    output: () => stripAnsi(raw),
    expect(text, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const screen = stripAnsi(raw);
          const rest = screen.slice(consumed);
          const m =
            typeof text === 'string'
              ? rest.includes(text)
                ? { index: rest.indexOf(text), length: text.length }
                : undefined
              : ((r) => r && { index: r.index, length: r[0].length })(text.exec(rest));
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            consumed += m.index + m.length;
            resolve(rest.slice(0, m.index + m.length));
          } else if (ended) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`program ended before ${String(text)} appeared; output:\n${screen.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${stripAnsi(raw).slice(-3000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    type(keys) {
      child.stdin.write(keys);
    },
    exit: () => exited,
  };
}
