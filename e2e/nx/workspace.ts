/**
 * A throwaway git workspace for driving the real `nx` binary: the repository's package files, nx.json,
 * tools/ and example adapters, the example platform, plus small extras the specs need. Its node_modules
 * links every package of the repository's, except the workspace package `@ztc/engine`, which points at
 * the workspace's own copy of tools/ztc (as npm links it), so nx.json's `@ztc/engine/plugin` and edits
 * to the engine in the workspace are what Nx runs. Every nx call gets a clean environment (no daemon, no
 * cloud, no AI-agent variables, which switch Nx to an output style that hides task output).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
const NX_BIN = join(REPO, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const AGENT_VARS = ['CLAUDECODE', 'CLAUDE_CODE', 'CODEX_THREAD_ID', 'GEMINI_CLI', 'REPL_ID', 'VSCODE_AGENT', 'OPENCODE', 'COPILOT_CLI', 'CURSOR_TRACE_ID'];

export interface NxResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2eWorkspace {
  root: string;
  write(rel: string, content: string): void;
  read(rel: string): string;
  rm(rel: string): void;
  /** Commit everything; returns the new HEAD sha. */
  commit(message: string): string;
  git(...args: string[]): string;
  /** Run nx asynchronously (an in-process server, e.g. the remote cache, keeps serving meanwhile). */
  nx(args: string[], env?: Record<string, string>): Promise<NxResult>;
  /** Cache status of each task of the last run (from the run record Nx writes to its cache folder). */
  lastRun(): Record<string, string>;
  dispose(): void;
}

/** The environment every nx call gets (also for launchers such as `npx nx`). */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (AGENT_VARS.includes(k) || k.startsWith('NX_') || k.startsWith('VITEST') || k === 'CI') delete env[k];
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NO_COLOR: '1', ...extra };
}

/** node_modules of the workspace: links to the repository's packages, `@ztc/engine` → the workspace's tools/ztc. */
function linkNodeModules(root: string): void {
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@ztc'), { recursive: true });
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry !== '@ztc') symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(join('..', '..', 'tools', 'ztc'), join(modules, '@ztc', 'engine'), 'dir');
}

export function createE2eWorkspace(extraFiles: Record<string, string> = {}): E2eWorkspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ztc-e2e-')));
  const copy = (rel: string): void => cpSync(join(REPO, rel), join(root, rel), { recursive: true, filter: (src) => !src.includes('node_modules') });
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.options.json', '.env', '.gitignore', 'tools/ztc']) copy(f);
  copy('adapters');
  for (const f of ['platform.yaml', 'generated', 'pipeline.yaml', 'lock.json']) copy(`platforms/example/${f}`);
  linkNodeModules(root);
  const ws: E2eWorkspace = {
    root,
    write(rel, content) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), content);
    },
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    rm: (rel) => rmSync(join(root, rel), { recursive: true, force: true }),
    git: (...args) => execFileSync('git', ['-c', 'user.email=e2e@ztc', '-c', 'user.name=e2e', ...args], { cwd: root, encoding: 'utf8' }).trim(),
    commit(message) {
      ws.git('add', '-A');
      ws.git('commit', '-q', '--allow-empty', '-m', message);
      return ws.git('rev-parse', 'HEAD');
    },
    nx(args, env = {}) {
      return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [NX_BIN, ...args], { cwd: root, env: cleanEnv({ ZTC_PRIVATE_DIR: `${root}-private`, ...env }), stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
      });
    },
    lastRun() {
      const run = JSON.parse(ws.read('.nx/cache/run.json')) as { tasks: { taskId: string; cacheStatus: string }[] };
      return Object.fromEntries(run.tasks.map((t) => [t.taskId, t.cacheStatus]));
    },
    dispose: () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(`${root}-private`, { recursive: true, force: true });
    },
  };
  for (const [rel, content] of Object.entries(extraFiles)) ws.write(rel, content);
  ws.git('init', '-q', '-b', 'main');
  ws.commit('e2e workspace');
  return ws;
}
