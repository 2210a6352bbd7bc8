/**
 * One simulated datacenter session: a workspace (by default a private copy, so the operator's checkout,
 * its state area and its private dir are never touched; or a given folder used in place), a world seeded
 * with the platform's servers (or loaded from a world dir and saved back), the loopback server, the stub
 * executables on PATH, and `ztc` run against all of it as a real child process with the environment a
 * real run would have (HCLOUD_ENDPOINT pointing at the fake API).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { findOnPath } from '../../ztc/src/bootstrap/preconditions';
import { childEnv } from '../../ztc/testing/child-env';
import { resolvePrivateDir } from '../../ztc/src/bootstrap/private-dir';
import { startServer, TOOLS, type SimServer } from './server';
import { RESCUE_TOOLS } from './world/rescue';
import { worldStatus, type WorldStatus } from './world/status';
import { World, zeroCounters, type Faults, type SavedWorld, type Timing } from './world/world';

export const SIM_ROOT = join(__dirname, '..');
const FORWARD = join(SIM_ROOT, 'stubs', 'forward');
/** The CLIs a simulated run replaces with stubs: every tool the server answers for. */
export const SIMULATED_CLIS = Object.keys(TOOLS);
/** Inside a simulated container: its simulated tools, and harmless real ones. */
const CONTAINER_STUBS = ['kustomize'];
const CONTAINER_REAL = ['sh', 'bash', 'mktemp', 'cat', 'rm', 'mkdir', 'printf'];

export interface SimOptions {
  repoRoot: string;
  platform: string;
  faults?: Faults;
  timing?: Partial<Timing>;
  /** The Hetzner project's API token, which the run is given as HCLOUD_TOKEN (default: random). */
  hcloudToken?: string;
  /** Extra or replaced environment of ztc (e.g. a wrong HCLOUD_TOKEN). */
  env?: Record<string, string>;
  /**
   * Keep the world in this dir (`world.json`, 0600, in a 0700 dir): loaded when it is there, else made;
   * saved by `save()` and `stop()`. Without it the world lives as long as the session.
   */
  worldDir?: string;
  /** Run ztc in this folder as it is (a checkout, or a spec's own copy), never copied or removed. Default: a private copy of repoRoot. */
  workspace?: string;
  /**
   * ZTC_PRIVATE_DIR of the runs: a path, or null to leave it to the caller's environment (ztc's default
   * when unset). Default: `<worldDir>/private` with a world dir, else a dir of the session.
   */
  privateDir?: string | null;
  /**
   * npm run sim --world: keep the caller's HOME, XDG_STATE_HOME and ZTC_PRIVATE_DIR, and let the caller's
   * secret env vars (SECRET_ENV) win over the world's own.
   */
  callerEnv?: boolean;
}

/** The secret env vars a caller may set to override the world's (a rotation, another key). */
export const SECRET_ENV = ['HCLOUD_TOKEN', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'GITHUB_APP_PRIVATE_KEY', 'ARGOCD_ADMIN_PASSWORD'] as const;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Each output line as it comes (stdout and stderr). */
  onLine?(line: string, stream: 'stdout' | 'stderr'): void;
  /** Send `signal` to ztc when `when(line)` first holds. */
  kill?: { when(line: string): boolean; signal: NodeJS.Signals };
  /** Aborting it sends the child its reason as a signal (default SIGTERM): the sim itself was stopped. */
  stop?: AbortSignal;
  /** Extra or replaced environment of this run only (e.g. a rotated ARGOCD_ADMIN_PASSWORD); values are masked. */
  env?: Record<string, string>;
}

export interface Sim {
  world: World;
  /** Temp root of the session: workspace/, private/, tmp/, home/, bin/. */
  root: string;
  workspace: string;
  privateDir: string;
  /** TMPDIR of ztc: where its ztc-secure-* dirs go. */
  tmpDir: string;
  env: NodeJS.ProcessEnv;
  /** The world dir, when the world is kept. */
  worldDir?: string;
  /** Run `ztc <args>` in the session's workspace (its counters: `world.run`, then `world.lastRun`). */
  ztc(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** What the world holds now (what `npm run sim -- --world <dir> --status --json` prints). */
  status(): WorldStatus;
  /** Write the world to its dir now (atomically); a no-op without a world dir. */
  save(): void;
  /** Processes still alive that a run of this session started. */
  leftoverProcesses(): number[];
  /** Stop the server and the session's processes, save the world (if kept), remove the session's temp dir unless `keep`. */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

export const WORLD_FILE = 'world.json';

/** The saved world in `dir`, if there is one. */
export function loadWorld(dir: string): SavedWorld | undefined {
  const file = join(dir, WORLD_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SavedWorld;
  } catch (e) {
    throw new Error(`${file} is not a saved world (${(e as Error).message}); remove the dir to start a new world`, { cause: e });
  }
}

/** Write the world to `dir/world.json` atomically (temp file, rename), 0600 in a 0700 dir: it holds simulated credentials. */
export function saveWorld(dir: string, world: World): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = join(dir, `.${WORLD_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(world.toJSON())}\n`, { mode: 0o600 });
  renameSync(tmp, join(dir, WORLD_FILE));
}

/** One session at a time per world dir: `dir/world.lock` holds the owner's pid (a dead owner's lock is taken over). */
export function lockWorld(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const lock = join(dir, 'world.lock');
  const take = (): boolean => {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    }
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return pid > 0;
    } catch {
      return false;
    }
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (take()) return () => rmSync(lock, { force: true });
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (alive(pid)) throw new Error(`the world ${dir} is in use by process ${pid} (another npm run sim or spec); wait for it to end`);
    rmSync(lock, { force: true }); // its owner is gone
  }
  throw new Error(`could not lock the world ${dir}`);
}

function findTool(name: string): string {
  const found = findOnPath(name, process.env.PATH);
  if (!found) throw new Error(`the simulation needs ${name} on PATH`);
  return found;
}

/** A copy of what ztc needs of the workspace `repo` for `platform` (no .ztc/, node_modules linked): a checkout of its own. */
export function copyWorkspace(repo: string, dest: string, platform: string): void {
  const copy = (rel: string) => cpSync(join(repo, rel), join(dest, rel), { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('.spec.ts') });
  for (const rel of ['nx.json', 'adapters', 'tools/ztc/capabilities']) copy(rel);
  for (const f of ['platform.yaml', 'generated', 'pipeline.yaml', 'lock.json']) if (existsSync(join(repo, 'platforms', platform, f))) copy(`platforms/${platform}/${f}`);
  symlinkSync(join(repo, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

interface PlatformFacts {
  servers: string[];
  buckets: string[];
  github?: { appId: string; installationId: string; repositories: string[] };
  /** Repository URLs (without .git) → the folder standing for their HEAD. */
  repositories: Record<string, string>;
}

/** What the world must hold for this platform: its servers, bucket, GitHub App and repositories. */
function platformFacts(workspace: string, platform: string, emptyRepo: string): PlatformFacts {
  const doc = parse(readFileSync(join(workspace, 'platforms', platform, 'platform.yaml'), 'utf8')) as { adapters?: Record<string, Record<string, unknown> | null> };
  const a = doc.adapters ?? {};
  const canonical = (u: unknown) =>
    String(u)
      .replace(/\/$/, '')
      .replace(/\.git$/, '');
  const gh = a.github;
  const repoUrls = gh ? [gh.control_plane_repo_url, gh.data_plane_repo_url].filter(Boolean).map(canonical) : [];
  return {
    servers: (a.hetzner?.server_ips as string[] | undefined) ?? [],
    buckets: typeof a.ksops?.s3_bucket_name === 'string' ? [a.ksops.s3_bucket_name] : [],
    github: gh
      ? { appId: String(gh.github_app_id), installationId: String(gh.github_app_installation_id), repositories: repoUrls.map((u) => u.replace('https://github.com/', '')) }
      : undefined,
    // The control-plane repository is this workspace (its rendered platforms/<p>/generated).
    repositories: Object.fromEntries(repoUrls.map((u, i) => [u, i === 0 ? workspace : emptyRepo])),
  };
}

function linkAll(dir: string, names: string[], target: (name: string) => string): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) symlinkSync(target(n), join(dir, n));
}

/**
 * The environment of ztc in the simulation (child-env's `sim` policy): the caller's, minus anything that
 * could reach real infrastructure. With `callerEnv`, the caller's ZTC_PRIVATE_DIR and secret env vars are kept (the
 * endpoints are the simulation's all the same, so no secret leaves this machine).
 */
function baseEnv(callerEnv: boolean): NodeJS.ProcessEnv {
  return childEnv('sim', { keep: callerEnv ? ['ZTC_PRIVATE_DIR', ...SECRET_ENV] : [] });
}

export async function startSim(opts: SimOptions): Promise<Sim> {
  const unlock = opts.worldDir ? lockWorld(opts.worldDir) : undefined;
  try {
    return await start(opts, unlock);
  } catch (e) {
    unlock?.();
    throw e;
  }
}

async function start(opts: SimOptions, unlock: (() => void) | undefined): Promise<Sim> {
  const root = mkdtempSync(join(tmpdir(), 'ztc-sim-'));
  chmodSync(root, 0o700);
  const workspace = opts.workspace ?? join(root, 'workspace');
  const dirs = {
    tmpDir: join(root, 'tmp'),
    home: join(root, 'home'),
    bin: join(root, 'bin'),
    rescue: join(root, 'rescue-bin'),
    container: join(root, 'container-bin'),
    containerTmp: join(root, 'container-tmp'),
    tools: join(root, 'tools-bin'),
  };
  const privateDir = opts.privateDir === undefined ? (opts.worldDir ? join(opts.worldDir, 'private') : join(root, 'private')) : opts.privateDir;
  if (!opts.workspace) copyWorkspace(opts.repoRoot, workspace, opts.platform);
  for (const d of [dirs.tmpDir, dirs.home, dirs.containerTmp]) mkdirSync(d, { recursive: true, mode: 0o700 });
  linkAll(dirs.bin, SIMULATED_CLIS, () => FORWARD);
  linkAll(dirs.rescue, RESCUE_TOOLS, () => FORWARD);
  symlinkSync(findTool('bash'), join(dirs.rescue, 'bash')); // the rescue system's shell (and the stubs' interpreter)
  linkAll(dirs.container, CONTAINER_STUBS, () => FORWARD);
  linkAll(dirs.container, CONTAINER_REAL, (n) => findTool(n === 'sh' ? 'bash' : n));
  linkAll(dirs.tools, ['jq', 'curl', 'base64', 'bash'], findTool);

  const emptyRepo = join(root, 'empty-repo');
  mkdirSync(emptyRepo);
  const facts = platformFacts(workspace, opts.platform, emptyRepo);
  const saved = opts.worldDir ? loadWorld(opts.worldDir) : undefined;
  const world = new World({ ...facts, faults: opts.faults, timing: opts.timing, hcloudToken: opts.hcloudToken, saved });
  if (opts.worldDir) saveWorld(opts.worldDir, world); // made (or grown by new servers) before any run
  let server: SimServer | undefined = await startServer(world);
  const runId = randomBytes(8).toString('hex');
  const callerEnv = !!opts.callerEnv;
  const worldSecrets: Record<(typeof SECRET_ENV)[number], string> = {
    HCLOUD_TOKEN: world.hcloudToken,
    GITHUB_APP_PRIVATE_KEY: world.github.privateKeyPem,
    S3_ACCESS_KEY: world.s3.accessKey,
    S3_SECRET_KEY: world.s3.secretKey,
    ARGOCD_ADMIN_PASSWORD: world.adminPassword,
  };
  const base = baseEnv(callerEnv);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PATH: `${dirs.bin}${delimiter}${process.env.PATH ?? ''}`,
    HOME: callerEnv && base.HOME ? base.HOME : dirs.home,
    TMPDIR: dirs.tmpDir,
    NO_COLOR: '1',
    ...(privateDir === null ? {} : { ZTC_PRIVATE_DIR: privateDir }),
    HCLOUD_ENDPOINT: `${server.url}/v1`,
    GITHUB_API_URL: `${server.url}/github`,
    AWS_ENDPOINT_URL_S3: `${server.url}/s3`,
    ...worldSecrets,
    // The caller's own secrets win (a rotation to show); the APIs accept only what the world issued.
    ...(callerEnv ? Object.fromEntries(SECRET_ENV.filter((k) => base[k]).map((k) => [k, base[k]])) : {}),
    ZTC_POLL_INTERVAL: '0.2',
    ZTC_WAIT_MARGIN: '2', // scaled like the intervals: the simulated tools answer within a second
    ZTC_RETRY_DELAY: '0.2',
    ZTC_SIM_URL: server.url,
    ZTC_SIM_RESCUE_BIN: dirs.rescue,
    ZTC_SIM_CONTAINER_BIN: dirs.container,
    ZTC_SIM_CONTAINER_TMP: dirs.containerTmp,
    ZTC_SIM_TOOLS: dirs.tools,
    ZTC_SIM_RUN: runId,
    ...opts.env,
  };
  for (const k of SECRET_ENV) if (env[k]) world.callerSecrets.add(env[k]);
  for (const v of Object.values(opts.env ?? {})) if (v) world.callerSecrets.add(v);
  const resolvedPrivateDir = env.ZTC_PRIVATE_DIR ?? resolvePrivateDir(workspace, opts.platform, env);
  const ztcBin = join(opts.repoRoot, 'tools', 'ztc', 'bin', 'ztc.js');

  const sim: Sim = {
    world,
    root,
    workspace,
    privateDir: resolvedPrivateDir,
    tmpDir: dirs.tmpDir,
    env,
    worldDir: opts.worldDir,
    status: () => worldStatus(world),
    save() {
      if (opts.worldDir) saveWorld(opts.worldDir, world);
    },
    ztc(args, run = {}) {
      for (const v of Object.values(run.env ?? {})) if (v) world.callerSecrets.add(v);
      world.run = zeroCounters();
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [ztcBin, ...args], { cwd: workspace, env: { ...sim.env, ...run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
        const out = { stdout: '', stderr: '' };
        let killed = false;
        const onStop = (): void => void child.kill((run.stop?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
        run.stop?.addEventListener('abort', onStop, { once: true });
        for (const stream of ['stdout', 'stderr'] as const) {
          let partial = '';
          const line = (text: string): void => {
            run.onLine?.(text, stream);
            if (run.kill && !killed && run.kill.when(text)) {
              killed = true;
              child.kill(run.kill.signal);
            }
          };
          child[stream].setEncoding('utf8'); // a character split between chunks stays whole
          child[stream].on('data', (chunk: string) => {
            out[stream] += chunk;
            const lines = (partial + chunk).split('\n');
            partial = lines.pop()!;
            lines.forEach(line);
          });
          child[stream].on('end', () => {
            if (partial !== '') line(partial); // a last line without a newline
          });
        }
        child.on('error', reject);
        child.on('close', (code, signal) => {
          run.stop?.removeEventListener('abort', onStop);
          world.lastRun = { ...world.run };
          sim.save();
          resolve({ code: code ?? 128 + (signal ? osConstants.signals[signal] : 0), ...out });
        });
      });
    },
    leftoverProcesses() {
      const pids: number[] = [];
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (Number(pid) !== process.pid && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`ZTC_SIM_RUN=${runId}`)) pids.push(Number(pid));
        } catch {
          /* gone, or not ours */
        }
      }
      return pids;
    },
    async stop({ keep = false } = {}) {
      if (!server) return;
      await server.close();
      server = undefined;
      for (const pid of sim.leftoverProcesses()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      sim.save();
      unlock?.();
      if (!keep) rmSync(root, { recursive: true, force: true });
    },
  };
  return sim;
}
