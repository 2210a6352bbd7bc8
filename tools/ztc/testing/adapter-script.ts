/**
 * Run one adapter script the way `ztc bootstrap` lays it out (the script with its libraries in one
 * private dir as ZTC_LIB_DIR, a context file, state and private dirs, a step deadline), with stand-in
 * executables on PATH: a spec gives each tool a bash body that answers from its arguments. For specs of
 * a script's own decisions (what it does with a failing kubectl, a node without conditions) without the
 * whole simulated datacenter; the simulation (tools/sim) proves the scripts against faithful tools.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

const ENGINE_LIB = join(__dirname, '..', 'scripts', 'ztc.sh');

export interface AdapterScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Lines each stand-in tool was called with (`tool arg…`), in order. */
  calls: string[];
  /** The state dir's files after the run (path relative to it → content): what the script recorded. */
  state: Record<string, string>;
}

export interface AdapterScriptOptions {
  /** Absolute path of the script (adapters/<a>/scripts/<stage>/<name>.sh). */
  script: string;
  context: unknown;
  /** Tool name → bash body run with the tool's arguments as "$@" (stdin is the tool's stdin). */
  tools?: Record<string, string>;
  /** Extra environment (secrets, tunables). */
  env?: Record<string, string>;
  /** Files already in the private dir (path relative to it → content), e.g. a talosconfig. */
  privateFiles?: Record<string, string>;
  /** Files already in the state dir (path relative to it → content), e.g. what an earlier run recorded. */
  stateFiles?: Record<string, string>;
  /** Seconds until ZTC_STEP_DEADLINE. @default 30 */
  deadlineSeconds?: number;
}

/** The adapter's scripts/lib/*.sh next to the script's stage folder (or the script's own folder). */
function adapterLibs(script: string): string[] {
  for (const dir of [join(dirname(script), '..', 'lib'), join(dirname(script), 'lib')]) {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.sh'))
        .map((f) => join(dir, f));
    } catch {
      /* no library folder here */
    }
  }
  return [];
}

export async function runAdapterScript(opts: AdapterScriptOptions): Promise<AdapterScriptRun> {
  const root = mkdtempSync(join(tmpdir(), 'ztc-adapter-script-'));
  try {
    const dirs = { lib: join(root, 'secure'), bin: join(root, 'bin'), state: join(root, 'state'), private: join(root, 'private') };
    for (const d of Object.values(dirs)) mkdirSync(d, { mode: 0o700 });
    for (const lib of [ENGINE_LIB, ...adapterLibs(opts.script)]) copyFileSync(lib, join(dirs.lib, basename(lib)));
    copyFileSync(opts.script, join(dirs.lib, basename(opts.script)));
    for (const [rel, content] of Object.entries(opts.privateFiles ?? {})) {
      mkdirSync(dirname(join(dirs.private, rel)), { recursive: true, mode: 0o700 });
      writeFileSync(join(dirs.private, rel), content, { mode: 0o600 });
    }
    for (const [rel, content] of Object.entries(opts.stateFiles ?? {})) {
      mkdirSync(dirname(join(dirs.state, rel)), { recursive: true });
      writeFileSync(join(dirs.state, rel), content);
    }
    writeFileSync(join(dirs.lib, 'context.json'), JSON.stringify(opts.context));
    const callLog = join(root, 'calls.log');
    for (const [tool, body] of Object.entries(opts.tools ?? {})) {
      const file = join(dirs.bin, tool);
      writeFileSync(file, `#!/usr/bin/env bash\nprintf '%s\\n' "${tool} $*" >>'${callLog}'\n${body}\n`);
      chmodSync(file, 0o755);
    }
    const env = {
      PATH: `${dirs.bin}:${process.env.PATH ?? ''}`,
      HOME: root,
      ZTC_CONTEXT_FILE: join(dirs.lib, 'context.json'),
      ZTC_LIB_DIR: dirs.lib,
      ZTC_STATE_DIR: dirs.state,
      ZTC_PRIVATE_DIR: dirs.private,
      KUBECONFIG: join(dirs.private, 'kubeconfig'),
      ZTC_PLATFORM: 'demo',
      ZTC_STEP: 'spec/step',
      ZTC_STEP_DEADLINE: String(Math.floor(Date.now() / 1000) + (opts.deadlineSeconds ?? 30)),
      ZTC_POLL_INTERVAL: '0.1',
      ZTC_RETRY_DELAY: '0.05',
      ZTC_WAIT_MARGIN: '0',
      ...opts.env,
    };
    const child = spawn('bash', [join(dirs.lib, basename(opts.script))], { cwd: dirs.lib, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    let calls: string[] = [];
    try {
      calls = readFileSync(callLog, 'utf8').split('\n').filter(Boolean);
    } catch {
      /* no tool was called */
    }
    const state = Object.fromEntries(
      readdirSync(dirs.state, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const file = join(e.parentPath, e.name);
          return [relative(dirs.state, file), readFileSync(file, 'utf8')];
        }),
    );
    return { code, ...out, calls, state };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
