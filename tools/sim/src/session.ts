/**
 * One simulated datacenter session: a private copy of the workspace (so the operator's checkout, its
 * state area and its private dir are never touched), a world seeded with the platform's servers, the
 * loopback server, the stub executables on PATH, and `ztc bootstrap` run against all of it as a real
 * child process with the environment a real run would have (HCLOUD_ENDPOINT pointing at the fake API).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { findOnPath } from '../../ztc/src/bootstrap/preconditions';
import { startServer, TOOLS, type SimServer } from './server';
import { RESCUE_TOOLS } from './world/rescue';
import { World, type Faults, type Timing } from './world/world';

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
}

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
  /** Run `ztc <args>` in the session's workspace. */
  ztc(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Processes still alive that a run of this session started. */
  leftoverProcesses(): number[];
  stop(opts?: { keep?: boolean }): Promise<void>;
}

function findTool(name: string): string {
  const found = findOnPath(name, process.env.PATH);
  if (!found) throw new Error(`the simulation needs ${name} on PATH`);
  return found;
}

function copyWorkspace(repo: string, dest: string, platform: string): void {
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
  const canonical = (u: unknown) => String(u).replace(/\/$/, '').replace(/\.git$/, '');
  const gh = a.github;
  const repoUrls = gh ? [gh.control_plane_repo_url, gh.data_plane_repo_url].filter(Boolean).map(canonical) : [];
  return {
    servers: (a.hetzner?.server_ips as string[] | undefined) ?? [],
    buckets: a.ksops?.s3_bucket_name ? [String(a.ksops.s3_bucket_name)] : [],
    github: gh ? { appId: String(gh.github_app_id), installationId: String(gh.github_app_installation_id), repositories: repoUrls.map((u) => u.replace('https://github.com/', '')) } : undefined,
    // The control-plane repository is this workspace (its rendered platforms/<p>/generated).
    repositories: Object.fromEntries(repoUrls.map((u, i) => [u, i === 0 ? workspace : emptyRepo])),
  };
}

function linkAll(dir: string, names: string[], target: (name: string) => string): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) symlinkSync(target(n), join(dir, n));
}

/** The environment of ztc in the simulation: the caller's, minus anything that could reach real infrastructure. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(HCLOUD_|ZTC_|KUBECONFIG$|TALOSCONFIG$|NX_|VITEST|S3_|GITHUB_|ARGOCD_)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export async function startSim(opts: SimOptions): Promise<Sim> {
  const root = mkdtempSync(join(tmpdir(), 'ztc-sim-'));
  chmodSync(root, 0o700);
  const workspace = join(root, 'workspace');
  const dirs = {
    privateDir: join(root, 'private'),
    tmpDir: join(root, 'tmp'),
    home: join(root, 'home'),
    bin: join(root, 'bin'),
    rescue: join(root, 'rescue-bin'),
    container: join(root, 'container-bin'),
    containerTmp: join(root, 'container-tmp'),
    tools: join(root, 'tools-bin'),
  };
  copyWorkspace(opts.repoRoot, workspace, opts.platform);
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
  const world = new World({ ...facts, faults: opts.faults, timing: opts.timing, hcloudToken: opts.hcloudToken });
  let server: SimServer | undefined = await startServer(world);
  const runId = randomBytes(8).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    PATH: `${dirs.bin}${delimiter}${process.env.PATH ?? ''}`,
    HOME: dirs.home,
    TMPDIR: dirs.tmpDir,
    NO_COLOR: '1',
    ZTC_PRIVATE_DIR: dirs.privateDir,
    HCLOUD_ENDPOINT: `${server.url}/v1`,
    HCLOUD_TOKEN: world.hcloudToken,
    GITHUB_API_URL: `${server.url}/github`,
    GITHUB_APP_PRIVATE_KEY: world.github.privateKeyPem,
    AWS_ENDPOINT_URL_S3: `${server.url}/s3`,
    S3_ACCESS_KEY: world.s3.accessKey,
    S3_SECRET_KEY: world.s3.secretKey,
    ARGOCD_ADMIN_PASSWORD: world.adminPassword,
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
  for (const v of Object.values(opts.env ?? {})) if (v) world.callerSecrets.add(v);
  const ztcBin = join(opts.repoRoot, 'tools', 'ztc', 'bin', 'ztc.js');

  const sim: Sim = {
    world,
    root,
    workspace,
    privateDir: dirs.privateDir,
    tmpDir: dirs.tmpDir,
    env,
    ztc(args, run = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [ztcBin, ...args], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      await server?.close();
      server = undefined;
      for (const pid of sim.leftoverProcesses()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (!keep) rmSync(root, { recursive: true, force: true });
    },
  };
  return sim;
}
