import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fixtureWorkspace, PLATFORM, type FixtureAdapter } from './__fixtures__/fixture-workspace';
import { findOnPath } from './preconditions';

const SIMPLE: FixtureAdapter[] = [
  {
    name: 'solo',
    tools: [{ name: 'jq', install: 'apt-get install jq' }],
    stages: { 'pre-work': [{ name: 'one', script: 'record' }] },
  },
];

describe('pre-conditions (exit 3, nothing runs)', () => {
  it('refuses a stale render: run render first, with the drift list', async () => {
    const fx = fixtureWorkspace(SIMPLE);
    fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, 'version: "1.0"\nadapters:\n  solo: {}\n# edited\n');
    fx.ws.write(`platforms/${PLATFORM}/pipeline.yaml`, `${fx.ws.read(`platforms/${PLATFORM}/pipeline.yaml`)}# edited\n`);
    const { result } = await fx.run();
    expect(result.exitCode).toBe(3);
    expect(result.outcome).toBe('refused');
    expect(result.error?.message).toMatch(/^cannot bootstrap demo: run render first \("ztc render demo"\); the rendered output is stale:\n/);
    expect(result.error?.message).toMatch(/platform\.yaml changed\s+platforms\/demo\/platform\.yaml/);
    expect(result.error?.message).toMatch(/pipeline changed\s+platforms\/demo\/pipeline\.yaml/);
    expect(fx.order()).toEqual([]);
  });

  it('refuses a platform that was never rendered', async () => {
    const fx = fixtureWorkspace(SIMPLE);
    rmSync(fx.ws.path(`platforms/${PLATFORM}/lock.json`));
    const { result } = await fx.run();
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toContain('run render first');
    expect(result.error?.message).toContain('lock.json is missing');
  });

  it('refuses when a tool is not on PATH, naming the adapter and the install hint', async () => {
    const fx = fixtureWorkspace([{ ...SIMPLE[0]!, tools: [{ name: 'no-such-tool-ztc', install: 'apt-get install no-such-tool' }, 'jq'] }]);
    const { result } = await fx.run();
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toBe('missing tool on PATH:\n  no-such-tool-ztc (needed by solo): install with: apt-get install no-such-tool');
    expect(fx.order()).toEqual([]);
  });

  it('runs check_health first and refuses with its message when it fails', async () => {
    const fx = fixtureWorkspace([{ ...SIMPLE[0]!, checkHealth: { script: 'health', context: { healthy: false, message: 'token rejected (401)' } } }]);
    const { result } = await fx.run();
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toContain('pre-flight check solo/check-health failed (exit 1); nothing was run');
    expect(result.error?.message).toContain('API not reachable: token rejected (401)');
    expect(result.error?.message).toContain(`log: platforms/${PLATFORM}/.ztc/logs/preflight/solo.check-health.log`);
    expect(fx.order()).toEqual(['solo/check-health']);
  });

  it('refuses while another bootstrap of the platform runs, and takes over the lock of a dead one', async () => {
    const fx = fixtureWorkspace(SIMPLE);
    const lock = fx.ws.path(`platforms/${PLATFORM}/.ztc/run.lock`);
    mkdirSync(join(lock, '..'), { recursive: true });
    const other = spawn('sleep', ['30']);
    onTestFinished(() => void other.kill());
    writeFileSync(lock, `${other.pid}\n`);
    const busy = await fx.run();
    expect(busy.result.exitCode).toBe(3);
    expect(busy.result.error?.message).toContain(`another bootstrap of ${PLATFORM} is running (pid ${other.pid} on ${hostname()})`);
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const after = await fx.run();
    expect(after.result.exitCode).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('stale temp dirs', () => {
  it('are removed at the start of a run when their ztc is gone; a live run keeps its dir', async () => {
    const fx = fixtureWorkspace(SIMPLE);
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    const stale = join(fx.tmpRoot, 'ztc-secure-stale1');
    const live = join(fx.tmpRoot, 'ztc-secure-live01');
    for (const [dir, owner] of [
      [stale, dead.pid],
      [live, process.pid],
    ] as const) {
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'ztc.pid'), JSON.stringify({ owner }));
      writeFileSync(join(dir, 'context.json'), '{}');
    }
    const { events } = await fx.run();
    expect(fx.secureDirsLeft()).toEqual(['ztc-secure-live01']);
    expect(events).toContainEqual({ event: 'notice', message: 'removed 1 stale ztc-secure-* dir(s) left by an interrupted run' });
  });

  it('a process a killed run left behind outside its group (setsid) is killed by its token', async () => {
    const fx = fixtureWorkspace(SIMPLE);
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    const token = 'ZTC_STEP_TOKEN=0123456789abcdef0123456789abcdef';
    const escaped = spawn('setsid', ['sleep', '300'], { env: { PATH: process.env.PATH, ZTC_STEP_TOKEN: token.split('=')[1] }, stdio: 'ignore' });
    const exited = new Promise((r) => escaped.once('exit', r));
    onTestFinished(() => void escaped.kill('SIGKILL'));
    const stale = join(fx.tmpRoot, 'ztc-secure-stale2');
    mkdirSync(stale, { mode: 0o700 });
    writeFileSync(join(stale, 'ztc.pid'), JSON.stringify({ owner: dead.pid, pgid: dead.pid, token }));
    await fx.run();
    expect(fx.secureDirsLeft()).toEqual([]);
    expect(await exited).toBeNull(); // killed by a signal (exit code null)
    expect(escaped.signalCode).toBe('SIGKILL');
  });
});

describe('findOnPath', () => {
  it('finds executables like `command -v`, without spawning anything', () => {
    expect(findOnPath('bash', process.env.PATH)).toMatch(/\/bash$/);
    expect(findOnPath('no-such-tool-ztc', process.env.PATH)).toBeUndefined();
    expect(findOnPath('bash', '')).toBeUndefined();
  });
});
