/**
 * `ztc bootstrap` / `ztc plan` as a user runs them: the real bin in a real process, so signals, exit
 * codes and the split of stdout and stderr are what a terminal or CI sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { minimalEnv } from '../../../testing/run-bin';
import { REPO_ROOT } from '../../../testing/temp-workspace';
import { fixtureWorkspace, PLATFORM, type FixtureAdapter, type FixtureWorkspace } from '../../bootstrap/__fixtures__/fixture-workspace';
import { isProcessAlive } from '../../bootstrap/process-group';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the ztc bin in the fixture workspace; `onLine` sees each stdout line and may signal the process. */
function ztc(fx: FixtureWorkspace, args: string[], env: NodeJS.ProcessEnv = {}, onLine?: (line: string, pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: fx.root,
      env: minimalEnv({ TMPDIR: fx.tmpRoot, ZTC_PRIVATE_DIR: fx.privateDir, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      const before = stdout.length;
      stdout += c.toString();
      for (const line of stdout
        .slice(stdout.lastIndexOf('\n', before - 1) + 1)
        .split('\n')
        .slice(0, -1))
        onLine?.(line, child.pid!);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const HANGING: FixtureAdapter[] = [{ name: 'solo', stages: { 'pre-work': [{ name: 'ok', script: 'record' }], bootstrap: [{ name: 'stuck', script: 'hang' }] } }];

describe('ztc bootstrap (real process)', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s stops the running step and its children, removes the temp dir, writes no receipt, exits %i', async (signal, code) => {
    const fx = fixtureWorkspace(HANGING);
    let sent = false;
    const run = await ztc(fx, ['bootstrap'], {}, (line, pid) => {
      if (!sent && line === '[solo/stuck] waiting') {
        sent = true;
        process.kill(pid, signal);
      }
    });
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(`error: bootstrap interrupted by ${signal} during step solo/stuck`);
    expect(isProcessAlive(Number(readFileSync(fx.state('bg.pid'), 'utf8')))).toBe(false);
    expect(fx.secureDirsLeft()).toEqual([]);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/pre-work/solo.ok.json`))).toBe(true);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.stuck.json`))).toBe(false);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/run.lock`))).toBe(false);
    expect(fx.ws.read(`platforms/${PLATFORM}/.ztc/logs/bootstrap/solo.stuck.log`)).toMatch(/# finished: interrupted, exit code \d+/);
  });

  it('prints live output prefixed by the step, exits 1 on a failing step and names it on stderr', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          bootstrap: [
            { name: 'ok', script: 'record' },
            { name: 'breaks', script: 'fail', context: { exit_code: 7 } },
          ],
        },
      },
    ]);
    const run = await ztc(fx, ['bootstrap', PLATFORM]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('[solo/ok] recorded solo/ok: no message\n');
    expect(run.stdout).toContain('[solo/breaks] about to fail\n');
    expect(run.stderr).toContain(`error: step solo/breaks (bootstrap) failed with exit code 7; log: platforms/${PLATFORM}/.ztc/logs/bootstrap/solo.breaks.log`);
  });

  it('--json prints one JSON event per line on stdout and the human text on stderr', async () => {
    const fx = fixtureWorkspace([{ name: 'solo', stages: { 'pre-work': [{ name: 'ok', script: 'record' }] } }]);
    const run = await ztc(fx, ['bootstrap', '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual([
      'run_started',
      'stage_started',
      'step_started',
      'output',
      'step_finished',
      'stage_started',
      'stage_started',
      'stage_started',
      'run_finished',
    ]);
    expect(events[4]).toMatchObject({ step: 'solo/ok', status: 'succeeded', exit_code: 0, duration_ms: expect.any(Number) });
    expect(run.stderr).toContain('[solo/ok] recorded solo/ok: no message');
  });

  it('--json: every line carries format_version; a failed run ends in run_finished with codes, not_run and the resume command, and no second document', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          bootstrap: [
            { name: 'breaks', script: 'fail' },
            { name: 'later', script: 'record' },
          ],
        },
      },
    ]);
    const run = await ztc(fx, ['bootstrap', '--json'], { ZTC_RESUME_COMMAND: 'npx nx run demo:bootstrap' });
    expect(run.code).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.format_version === 2 && typeof l.event === 'string')).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      event: 'run_finished',
      outcome: 'failed',
      error_code: 'failed',
      not_run: [{ step: 'solo/later', stage: 'bootstrap' }],
      resume_command: 'npx nx run demo:bootstrap',
    });
    expect(run.stderr).toContain('  resume: npx nx run demo:bootstrap');

    const usage = await ztc(fx, ['bootstrap', '--json', '--stage', 'deploy']);
    expect(usage.code).toBe(64);
    expect(JSON.parse(usage.stdout)).toMatchObject({ format_version: 2, event: 'error', command: 'bootstrap', ok: false, exit_code: 64, error: { code: 'usage_error' } });
  });

  it('by hand, names "npx ztc bootstrap <platform> [--stage …]" as the way to resume', async () => {
    const fx = fixtureWorkspace([{ name: 'solo', stages: { bootstrap: [{ name: 'breaks', script: 'fail' }] } }]);
    const run = await ztc(fx, ['bootstrap', '--stage', 'bootstrap']);
    expect(run.stdout).toContain(`  resume: npx ztc bootstrap ${PLATFORM} --stage bootstrap`);
  });

  it('exits 3 for a missing secret and 64 for an unknown stage', async () => {
    const fx = fixtureWorkspace([{ name: 'solo', stages: { 'pre-work': [{ name: 'ok', script: 'record', secrets: ['SOLO_TOKEN'] }] } }]);
    const missing = await ztc(fx, ['bootstrap']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('SOLO_TOKEN for step solo/ok (pre-work)');
    expect((await ztc(fx, ['bootstrap', '--stage', 'deploy'])).code).toBe(64);
  });

  it('ztc plan lists the steps with stage, adapter, timeout, secrets by name and status', async () => {
    const fx = fixtureWorkspace([
      { name: 'solo', stages: { 'pre-work': [{ name: 'ok', script: 'record', secrets: ['SOLO_TOKEN'], timeout: 42 }], validation: [{ name: 'check', script: 'record' }] } },
    ]);
    const human = await ztc(fx, ['plan']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/1\s+pre-work\s+solo\/ok\s+solo\s+42s\s+SOLO_TOKEN\s+pending/);
    expect(human.stdout).toMatch(/2\s+validation\s+solo\/check\s+solo\s+60s\s+-\s+always/);
    const json = JSON.parse((await ztc(fx, ['plan', '--json'])).stdout) as { up_to_date: boolean; steps: { step: string; status: string }[] };
    expect(json.up_to_date).toBe(true);
    expect(json.steps.map((s) => [s.step, s.status])).toEqual([
      ['solo/ok', 'pending'],
      ['solo/check', 'always'],
    ]);
  });
});

/** Resolves once `line` appears on the child's stdout. */
function lineSeen(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').includes(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing "${line}":\n${out}`)));
  });
}

/** Resolves when `check` holds, polling; rejects after `ms` (a generous bound, not a timing assertion). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ztc bootstrap under a launcher: a signal to the launcher stops the run', () => {
  it.each([
    ['npx ztc bootstrap', 'SIGTERM', 'npx', ['ztc', 'bootstrap'], true],
    ['npx ztc bootstrap', 'SIGINT', 'npx', ['ztc', 'bootstrap'], true],
    ['npx ztc bootstrap without the workspace .npmrc (sh in between)', 'SIGTERM', 'npx', ['ztc', 'bootstrap'], false],
    ['npm run', 'SIGTERM', 'npm', ['run', 'boot'], true],
    ['npm run', 'SIGINT', 'npm', ['run', 'boot'], true],
    ['a bash script running npx', 'SIGTERM', 'bash', ['-c', 'npx ztc bootstrap; echo after'], true],
  ] as const)('%s, %s: the step group is stopped; no process, temp dir, receipt or lock is left', async (_n, signal, cmd, args, npmrc) => {
    const fx = fixtureWorkspace(HANGING);
    fx.ws.write('package.json', `${JSON.stringify({ name: 'fx', private: true, scripts: { boot: 'ztc bootstrap' } })}\n`);
    if (npmrc) fx.ws.copyFromRepo('.npmrc');
    const launcher = spawn(cmd, [...args], { cwd: fx.root, env: minimalEnv({ TMPDIR: fx.tmpRoot, ZTC_PRIVATE_DIR: fx.privateDir }), stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => void launcher.kill('SIGKILL'));
    await lineSeen(launcher, '[solo/stuck] waiting');
    const lock = fx.ws.path(`platforms/${PLATFORM}/.ztc/run.lock`);
    const ztcPid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
    const bgPid = Number(readFileSync(fx.state('bg.pid'), 'utf8'));
    expect(ztcPid).not.toBe(launcher.pid);
    process.kill(launcher.pid!, signal);
    await until(() => !isProcessAlive(ztcPid), `ztc (pid ${ztcPid}) has ended`);
    expect(isProcessAlive(bgPid)).toBe(false);
    expect(readdirSync(fx.tmpRoot).filter((d) => d.startsWith('ztc-secure-'))).toEqual([]);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.stuck.json`))).toBe(false);
    expect(existsSync(lock)).toBe(false);
    expect(fx.ws.read(`platforms/${PLATFORM}/.ztc/logs/bootstrap/solo.stuck.log`)).toMatch(/# finished: interrupted, exit code \d+/);
  });

  it('stops the step group when its output can no longer be written (the reader went away)', async () => {
    const fx = fixtureWorkspace([{ name: 'solo', stages: { bootstrap: [{ name: 'chatty', script: 'hang', context: { tick: true } }] } }]);
    const child = spawn(process.execPath, [BIN, 'bootstrap'], {
      cwd: fx.root,
      env: minimalEnv({ TMPDIR: fx.tmpRoot, ZTC_PRIVATE_DIR: fx.privateDir }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    onTestFinished(() => void child.kill('SIGKILL'));
    await lineSeen(child, '[solo/chatty] waiting');
    const bgPid = Number(readFileSync(fx.state('bg.pid'), 'utf8'));
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(143);
    expect(isProcessAlive(bgPid)).toBe(false);
    expect(readdirSync(fx.tmpRoot).filter((d) => d.startsWith('ztc-secure-'))).toEqual([]);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.chatty.json`))).toBe(false);
  });
});
