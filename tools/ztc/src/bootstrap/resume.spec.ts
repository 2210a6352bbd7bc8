import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, PLATFORM, stepsOf, type FixtureAdapter } from './__fixtures__/fixture-workspace';
import { planBootstrap } from './plan';

const adapter = (message: string): FixtureAdapter => ({
  name: 'solo',
  stages: {
    'pre-work': [{ name: 'one', script: 'record' }],
    bootstrap: [
      { name: 'two', script: 'record', context: { message } },
      { name: 'three', script: 'record' },
    ],
    validation: [{ name: 'check', script: 'record' }],
  },
});

const statuses = (root: string) => Object.fromEntries(planBootstrap(root, PLATFORM).map((e) => [e.step, e.status]));

describe('resume', () => {
  it('skips steps whose receipt matches, always runs validation, and re-runs only a changed step', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    expect(statuses(fx.root)).toEqual({ 'solo/one': 'pending', 'solo/two': 'pending', 'solo/three': 'pending', 'solo/check': 'always' });
    await fx.run();
    expect(statuses(fx.root)).toEqual({ 'solo/one': 'done', 'solo/two': 'done', 'solo/three': 'done', 'solo/check': 'always' });
    const receipt = fx.ws.read(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.two.json`);

    rmSync(fx.state('order.txt'));
    const again = await fx.run();
    expect(again.result).toMatchObject({ exitCode: 0, ran: 1, skipped: 3 });
    expect(fx.order()).toEqual(['solo/check']);
    expect(stepsOf(again.events, 'step_skipped')).toEqual(['solo/one', 'solo/two', 'solo/three']);
    // Receipts are deterministic: the same step for the same inputs writes the same bytes.
    expect(fx.ws.read(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.two.json`)).toBe(receipt);
    expect(receipt).not.toMatch(/\/tmp\/|"\d{4}-\d\d-\d\dT/);

    fx.writeAdapter(adapter('second'));
    fx.render();
    expect(statuses(fx.root)['solo/two']).toBe('changed');
    rmSync(fx.state('order.txt'));
    await fx.run();
    expect(fx.order()).toEqual(['solo/two', 'solo/check']);
    expect(statuses(fx.root)['solo/two']).toBe('done');
  });

  it('resumes after a failure at the failed step', async () => {
    const failing: FixtureAdapter = {
      name: 'solo',
      stages: {
        bootstrap: [
          { name: 'ok', script: 'record' },
          { name: 'flaky', script: 'fail' },
          { name: 'last', script: 'record' },
        ],
      },
    };
    const fx = fixtureWorkspace([failing]);
    expect((await fx.run()).result.exitCode).toBe(1);
    fx.writeAdapter({
      ...failing,
      stages: {
        bootstrap: [
          { name: 'ok', script: 'record' },
          { name: 'flaky', script: 'record' },
          { name: 'last', script: 'record' },
        ],
      },
    });
    fx.render();
    rmSync(fx.state('order.txt'));
    expect((await fx.run()).result.exitCode).toBe(0);
    expect(fx.order()).toEqual(['solo/flaky', 'solo/last']);
  });

  it('--fresh runs every step again and rewrites the receipts', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    await fx.run();
    rmSync(fx.state('order.txt'));
    const { result } = await fx.run({ fresh: true });
    expect(result).toMatchObject({ exitCode: 0, ran: 4, skipped: 0 });
    expect(fx.order()).toEqual(['solo/one', 'solo/two', 'solo/three', 'solo/check']);
    expect(statuses(fx.root)['solo/three']).toBe('done');
  });

  it('--dry-run runs nothing and writes nothing, and says what would run or be skipped', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    await fx.run({ stage: 'pre-work' });
    rmSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/logs`), { recursive: true });
    rmSync(fx.state('order.txt'));
    const { result, events } = await fx.run({ dryRun: true });
    expect(result).toMatchObject({ exitCode: 0, outcome: 'dry_run', ran: 0 });
    expect(fx.order()).toEqual([]);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/logs`))).toBe(false);
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap`))).toBe(false);
    expect(events.filter((e) => e.event === 'step_planned')).toEqual([
      { event: 'step_planned', step: 'solo/one', stage: 'pre-work', action: 'skip', status: 'done', index: 1, total: 4 },
      { event: 'step_planned', step: 'solo/two', stage: 'bootstrap', action: 'run', status: 'pending', index: 2, total: 4 },
      { event: 'step_planned', step: 'solo/three', stage: 'bootstrap', action: 'run', status: 'pending', index: 3, total: 4 },
      { event: 'step_planned', step: 'solo/check', stage: 'validation', action: 'run', status: 'always', index: 4, total: 4 },
    ]);
    expect(events).toContainEqual({ event: 'notice', message: 'dry run: 3 steps would run (pre-flight checks included); nothing was run or written' });
  });

  it('--dry-run refuses a private dir other users can read, as a run would (exit 3), and changes nothing', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    mkdirSync(fx.privateDir, { recursive: true });
    chmodSync(fx.privateDir, 0o755);
    const { result } = await fx.run({ dryRun: true });
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toContain(`the private dir ${fx.privateDir} is accessible to other users (mode 755)`);
    expect(statSync(fx.privateDir).mode & 0o777).toBe(0o755);
    expect(fx.order()).toEqual([]);
  });

  it('--stage runs one stage, and refuses (exit 3) while an earlier stage is not done', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    const early = await fx.run({ stage: 'bootstrap' });
    expect(early.result.exitCode).toBe(3);
    expect(early.result.error?.message).toContain('solo/one (pre-work)');
    expect(fx.order()).toEqual([]);
    await fx.run({ stage: 'pre-work' });
    await fx.run({ stage: 'bootstrap' });
    expect(fx.order()).toEqual(['solo/one', 'solo/two', 'solo/three']);
  });

  it('drops receipts of steps that left the pipeline', async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    await fx.run();
    fx.writeAdapter({ name: 'solo', stages: { 'pre-work': [{ name: 'one', script: 'record' }] } });
    fx.render();
    await fx.run();
    expect(existsSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/solo.two.json`))).toBe(false);
    expect(JSON.parse(readFileSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/pre-work/solo.one.json`), 'utf8'))).toMatchObject({ step: 'solo/one', stage: 'pre-work' });
  });

  it("counts the step's libraries and its adapter's rendered files as its inputs", async () => {
    const fx = fixtureWorkspace([adapter('first')]);
    await fx.run();
    expect(statuses(fx.root)['solo/two']).toBe('done');
    fx.ws.write('adapters/solo/scripts/lib/helpers.sh', 'helper() { :; }\n');
    fx.render();
    // A new library of the adapter: every step of it has new inputs.
    expect(statuses(fx.root)).toMatchObject({ 'solo/one': 'changed', 'solo/two': 'changed' });
    await fx.run();
    const seen = JSON.parse(readFileSync(fx.state('seen.solo.two.json'), 'utf8')) as { env_names: string[] };
    expect(seen.env_names).toEqual(expect.arrayContaining(['KUBECONFIG', 'ZTC_LIB_DIR', 'ZTC_PRIVATE_DIR', 'ZTC_STEP_DEADLINE']));
    expect(statuses(fx.root)['solo/two']).toBe('done');
  });
});
