import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, PLATFORM, stepsOf, type FixtureAdapter } from './__fixtures__/fixture-workspace';
import { isProcessAlive } from './process-group';

const receipt = (stage: string, stem: string) => `platforms/${PLATFORM}/.ztc/receipts/${stage}/${stem}.json`;
const log = (stage: string, stem: string) => `platforms/${PLATFORM}/.ztc/logs/${stage}/${stem}.log`;

/** zeta provides cni, alpha requires it: zeta's steps come first in every stage although "alpha" < "zeta". */
const TWO_ADAPTERS: FixtureAdapter[] = [
  {
    name: 'alpha',
    cni: 'requires',
    stages: {
      'pre-work': [{ name: 'prepare', script: 'record', context: { message: 'alpha prepares' } }],
      bootstrap: [
        { name: 'install', script: 'record' },
        { name: 'configure', script: 'record' },
      ],
      validation: [{ name: 'check', script: 'record' }],
    },
  },
  {
    name: 'zeta',
    cni: 'provides',
    checkHealth: { script: 'health' },
    stages: {
      'pre-work': [{ name: 'prepare', script: 'record' }],
      bootstrap: [{ name: 'install', script: 'record' }],
      'post-work': [{ name: 'finish', script: 'record' }],
      validation: [{ name: 'check', script: 'record' }],
    },
  },
];

const ALL_IN_ORDER = ['zeta/check-health', 'zeta/prepare', 'alpha/prepare', 'zeta/install', 'alpha/install', 'alpha/configure', 'zeta/finish', 'zeta/check', 'alpha/check'];

describe('runBootstrap: order, context, environment', () => {
  it('runs pre-flight, then stage by stage in resolved adapter order, and writes receipts and logs', async () => {
    const fx = fixtureWorkspace(TWO_ADAPTERS);
    const { result, events } = await fx.run();
    expect(result).toMatchObject({ exitCode: 0, outcome: 'succeeded', ran: 9, skipped: 0 });
    expect(fx.order()).toEqual(ALL_IN_ORDER);
    expect(stepsOf(events, 'step_finished')).toEqual(ALL_IN_ORDER);
    expect(existsSync(fx.ws.path(receipt('bootstrap', 'alpha.configure')))).toBe(true);
    expect(existsSync(fx.ws.path(receipt('validation', 'alpha.check')))).toBe(false);
    expect(existsSync(fx.ws.path(receipt('preflight', 'zeta.check-health')))).toBe(false);
    const text = fx.ws.read(log('pre-work', 'alpha.prepare'));
    expect(text).toMatch(/^# step: alpha\/prepare\n# stage: pre-work\n/);
    expect(text).toContain('\nrecorded alpha/prepare: alpha prepares\n');
    expect(text).toMatch(/# finished: succeeded, exit code 0, \d+ ms\n$/);
    expect(fx.secureDirsLeft()).toEqual([]);
  });

  it('gives each script its context (0600, dir 0700), the ZTC_* variables, and a private cwd that is gone afterwards', async () => {
    const fx = fixtureWorkspace(TWO_ADAPTERS);
    await fx.run();
    const seen = JSON.parse(readFileSync(fx.state('seen.alpha.prepare.json'), 'utf8'));
    expect(seen).toMatchObject({
      step: 'alpha/prepare',
      stage: 'pre-work',
      platform: PLATFORM,
      workspace: fx.root,
      generated: fx.ws.path(`platforms/${PLATFORM}/generated`),
      state: fx.ws.path(`platforms/${PLATFORM}/.ztc/state`),
      context: { message: 'alpha prepares' },
      context_mode: '600',
      dir_mode: '700',
      script_mode: '700',
    });
    expect(seen.cwd).toBe(seen.context_dir);
    expect(seen.context_dir.startsWith(`${fx.tmpRoot}/ztc-secure-`)).toBe(true);
    expect(existsSync(seen.context_dir)).toBe(false);
  });

  it('reports each output line as an event prefixed by nothing but its step', async () => {
    const fx = fixtureWorkspace(TWO_ADAPTERS);
    const { events } = await fx.run({ stage: 'pre-work' });
    const outputs = events.filter((e) => e.event === 'output');
    expect(outputs).toContainEqual({ event: 'output', step: 'alpha/prepare', stream: 'stdout', line: 'recorded alpha/prepare: alpha prepares' });
  });
});

describe('runBootstrap: failures', () => {
  it('halts at the first failing step with exit 1, naming the step and its log', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          'pre-work': [{ name: 'ok', script: 'record' }],
          bootstrap: [
            { name: 'breaks', script: 'fail', context: { exit_code: 3 } },
            { name: 'never', script: 'record' },
          ],
        },
      },
    ]);
    const { result } = await fx.run();
    expect(result.exitCode).toBe(1);
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toBe(`step solo/breaks (bootstrap) failed with exit code 3; log: ${log('bootstrap', 'solo.breaks')}`);
    expect(fx.order()).toEqual(['solo/ok', 'solo/breaks']);
    expect(fx.ws.read(log('bootstrap', 'solo.breaks'))).toMatch(/about to fail\n# finished: failed, exit code 3, \d+ ms\n$/);
    expect(existsSync(fx.ws.path(receipt('pre-work', 'solo.ok')))).toBe(true);
    expect(existsSync(fx.ws.path(receipt('bootstrap', 'solo.breaks')))).toBe(false);
    expect(fx.secureDirsLeft()).toEqual([]);
  });

  it('stops a step past its timeout with its whole process group and exits 124', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          bootstrap: [
            { name: 'stuck', script: 'hang', timeout: 1 },
            { name: 'never', script: 'record' },
          ],
        },
      },
    ]);
    const { result } = await fx.run();
    expect(result.exitCode).toBe(124);
    expect(result.outcome).toBe('timed_out');
    expect(result.error?.message).toContain('step solo/stuck (bootstrap) exceeded its timeout of 1 s and was stopped');
    const bg = Number(readFileSync(fx.state('bg.pid'), 'utf8'));
    expect(isProcessAlive(bg)).toBe(false);
    expect(fx.order()).toEqual(['solo/stuck']);
    expect(existsSync(fx.ws.path(receipt('bootstrap', 'solo.stuck')))).toBe(false);
    expect(fx.secureDirsLeft()).toEqual([]);
  });

  it('continues past a failing optional step', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          bootstrap: [
            { name: 'maybe', script: 'fail', required: false },
            { name: 'after', script: 'record' },
          ],
        },
      },
    ]);
    const { result, events } = await fx.run();
    expect(result).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(fx.order()).toEqual(['solo/maybe', 'solo/after']);
    expect(events).toContainEqual(expect.objectContaining({ event: 'step_finished', step: 'solo/maybe', status: 'failed', required: false }));
  });

  it('stops the running step when aborted: no receipt, temp dir gone, exit 130', async () => {
    const fx = fixtureWorkspace([{ name: 'solo', stages: { bootstrap: [{ name: 'stuck', script: 'hang' }] } }]);
    const controller = new AbortController();
    const { result } = await fx.run({
      signal: controller.signal,
      onEvent: (e) => e.event === 'output' && e.line === 'waiting' && controller.abort('SIGINT'),
    });
    expect(result).toMatchObject({ exitCode: 130, outcome: 'interrupted' });
    expect(result.error?.message).toContain('interrupted by SIGINT during step solo/stuck');
    expect(isProcessAlive(Number(readFileSync(fx.state('bg.pid'), 'utf8')))).toBe(false);
    expect(existsSync(fx.ws.path(receipt('bootstrap', 'solo.stuck')))).toBe(false);
    expect(fx.secureDirsLeft()).toEqual([]);
  });
});
