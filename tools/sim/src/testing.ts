/** Helpers for specs that run ztc against the simulated datacenter. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { REPO_ROOT } from '../../ztc/testing/temp-workspace';
import { copyWorkspace, startSim, type Sim, type SimOptions } from './session';
import { transcript } from './transcript';
import type { Call } from './world/world';

/** A session for the current test, stopped (and its temp dir removed) when the test finishes. */
export async function simFor(opts: Partial<SimOptions> = {}): Promise<Sim> {
  const sim = await startSim({ repoRoot: REPO_ROOT, platform: 'example', ...opts });
  onTestFinished(() => sim.stop());
  return sim;
}

/** Edit a file of the session's workspace copy, then render the copy again (the test's own variant). */
export async function editAndRender(sim: Sim, rel: string, edit: (text: string) => string): Promise<void> {
  const file = join(sim.workspace, rel);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const r = await sim.ztc(['render', 'example']);
  if (r.code !== 0) throw new Error(`render of the edited copy failed: ${r.stderr}`);
}

/** The folded call sequence of the session (`step | tool argv`), optionally of one server only. */
export function calls(sim: Sim, filter: (c: Call) => boolean = () => true): string[] {
  return transcript(sim.world.calls, { privateDir: sim.privateDir, workspace: sim.workspace, tmpDir: sim.tmpDir }, filter);
}

/** The credentials the world made, as they appear in files: raw and base64-encoded (kubeconfig, talosconfig). */
export function credentialForms(sim: Sim): string[] {
  return [...sim.world.credentials].flatMap((c) => [c, Buffer.from(c).toString('base64')]);
}

/** Every file under `dir` (symlinks not followed), relative. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Files under `dir` whose bytes contain any of `values`. */
export function filesHolding(dir: string, values: Iterable<string>): string[] {
  const wanted = [...values].filter(Boolean);
  return filesUnder(dir).filter((f) => {
    const p = join(dir, f);
    if (statSync(p).size > 16 * 1024 * 1024) return false;
    const text = readFileSync(p, 'latin1');
    return wanted.some((v) => text.includes(v));
  });
}

/** The step ids of a run's output, in the order they started. */
export function startedSteps(stdout: string): string[] {
  return [...stdout.matchAll(/^(?:\[\d+\/\d+\] )?\[([^\]]+)\] start:/gm)].map((m) => m[1]!);
}

/**
 * A checkout of its own for the current test: a temp copy of this repository's workspace for `platform`
 * (adapters, the platform's rendered files, no .ztc/), removed when the test finishes.
 */
export function workspaceCopy(platform = 'example'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-sim-checkout-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  copyWorkspace(REPO_ROOT, dir, platform);
  return dir;
}

/** A world dir for the current test (empty: the first session makes the world), removed when the test finishes. */
export function worldDirFor(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-sim-world-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Open a session on a kept world: `workspace` is used in place (pass a `workspaceCopy()`, never the real
 * checkout), the world is loaded from `world` (or made there), ZTC_PRIVATE_DIR is `<world>/private`
 * unless `privateDir` says otherwise. Saved after every run; `close()` saves, stops and keeps both dirs.
 * Reopen the same world later with another workspace copy for "a second checkout".
 */
export async function openWorld(
  opts: { world: string; workspace: string; platform?: string; privateDir?: string | null } & Partial<Omit<SimOptions, 'worldDir' | 'workspace' | 'repoRoot'>>,
): Promise<Sim & { close(): Promise<void> }> {
  const { world, platform = 'example', ...rest } = opts;
  const sim = await startSim({ repoRoot: REPO_ROOT, ...rest, platform, worldDir: world });
  onTestFinished(() => sim.stop());
  return Object.assign(sim, { close: () => sim.stop() });
}

/**
 * A world dir kept for a whole `describe` (one world across its tests, in order): made now, removed after
 * the suite. Call it in the describe body.
 */
export function worldDirKept(prefix = 'ztc-sim-world-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A checkout of its own kept for a whole `describe` (see `workspaceCopy`), removed after the suite. */
export function workspaceCopyKept(platform = 'example'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-sim-checkout-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyWorkspace(REPO_ROOT, dir, platform);
  return dir;
}

/** What a process printed and how it ended. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `cmd args` to its end, collecting its output (async: a simulated tool's world answers from this process). */
export function runProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A simulated CLI (its stub) run in the session's environment, as a step's script or an operator beside ztc runs it. */
export function simTool(sim: Sim, argv: readonly string[], env: Record<string, string> = {}): Promise<ProcessRun> {
  return runProcess(argv[0]!, argv.slice(1), { ...sim.env, ...env }, sim.workspace);
}
