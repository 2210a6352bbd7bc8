/**
 * Engine code in another Node process, for tests of what happens between processes (locks, races).
 * The child loads the engine's TypeScript loader (dist/ts-require.js), runs `body` (CommonJS, `require` of engine files by absolute
 * path works) and talks over stdio: it reads lines on stdin (`line(): Promise<string>`), and the test
 * reads what it prints. It is killed when the test finishes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

const TS_REQUIRE = join(__dirname, '..', 'lib', 'load.js');

export interface NodeChild {
  proc: ChildProcessWithoutNullStreams;
  pid: number;
  /** Resolves with the next line the child prints on stdout. */
  nextLine(): Promise<string>;
  send(line: string): void;
  /** Resolves with the exit code once the child is gone. */
  exited: Promise<number | null>;
}

/** Start a child running `body`; `src(rel)` in the body is the absolute path of `tools/ztc/src/<rel>`. */
export function nodeChild(body: string): NodeChild {
  const prelude = [
    `require(${JSON.stringify(TS_REQUIRE)}).load('ts-require');`,
    `const src = (rel) => require(${JSON.stringify(join(__dirname, '..', 'src'))} + '/' + rel);`,
    "const rl = require('node:readline').createInterface({ input: process.stdin });",
    'const pending = []; const waiting = [];',
    "rl.on('line', (l) => (waiting.length ? waiting.shift()(l) : pending.push(l)));",
    'const line = () => new Promise((r) => (pending.length ? r(pending.shift()) : waiting.push(r)));',
    "rl.on('close', () => process.exit(0));",
  ].join('\n');
  const proc = spawn(process.execPath, ['-e', `${prelude}\n(async () => {\n${body}\n})();`], { stdio: ['pipe', 'pipe', 'pipe'] });
  onTestFinished(() => void proc.kill('SIGKILL'));
  const lines: string[] = [];
  const readers: ((l: string) => void)[] = [];
  let buffer = '';
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  proc.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const l = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const reader = readers.shift();
      if (reader) reader(l);
      else lines.push(l);
    }
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    pid: proc.pid!,
    nextLine: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : new Promise((resolve, reject) => {
            readers.push(resolve);
            void exited.then((code) => reject(new Error(`child exited (${code}) before printing a line: ${stderr}`)));
          }),
    send: (l) => proc.stdin.write(`${l}\n`),
    exited,
  };
}
