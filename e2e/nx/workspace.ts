/**
 * A throwaway git workspace for driving the real `nx` binary: the repository's package files, nx.json,
 * tools/ and example adapters, the example platform, plus small extras the specs need. Its node_modules
 * links every package of the repository's, except the workspace package `@ztc/engine`, which points at
 * the workspace's own copy of tools/ztc (as npm links it), so nx.json's `@ztc/engine/plugin` and edits
 * to the engine in the workspace are what Nx runs. Every nx call gets a clean environment (no daemon, no
 * cloud, no AI-agent variables, which switch Nx to an output style that hides task output).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { childEnv } from '../../tools/ztc/testing/child-env';
import { gitIn, tempWorkspace } from '../../tools/ztc/testing/temp-workspace';

export const REPO = resolve(__dirname, '..', '..');
const NX_BIN = join(REPO, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

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

/** The environment every nx call gets (also for launchers such as `npx nx`): child-env's `nx` policy. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return childEnv('nx', { set: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NO_COLOR: '1', ...extra } });
}

export function createE2eWorkspace(extraFiles: Record<string, string> = {}): E2eWorkspace {
  const fromRepo = ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.options.json', '.env', '.gitignore', 'tools/ztc', 'adapters'];
  for (const f of ['platform.yaml', 'generated', 'pipeline.yaml', 'lock.json']) fromRepo.push(`platforms/example/${f}`);
  // Made in beforeAll: removed by dispose(), not when a test finishes.
  const base = tempWorkspace(extraFiles, { keep: true, prefix: 'ztc-e2e-', fromRepo, nodeModules: 'packages', git: true });
  const root = base.root;
  const ws: E2eWorkspace = {
    root,
    write: (rel, content) => base.write(rel, content),
    read: (rel) => base.read(rel),
    rm: (rel) => rmSync(join(root, rel), { recursive: true, force: true }),
    git: (...args) => gitIn(root, ...args),
    commit(message) {
      ws.git('add', '-A');
      ws.git('commit', '-q', '--allow-empty', '-m', message);
      return ws.git('rev-parse', 'HEAD');
    },
    nx(args, env = {}) {
      return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [NX_BIN, ...args], {
          cwd: root,
          env: cleanEnv({ ZTC_PRIVATE_DIR: `${root}-private`, ...env }),
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 120_000,
        });
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
  return ws;
}
