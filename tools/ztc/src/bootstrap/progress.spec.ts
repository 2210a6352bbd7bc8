/**
 * Progress a person can follow (docs/bootstrap.md "Output"): step positions, heartbeats for silent steps,
 * marked stderr, what did not run after a failure and how to resume, and receipts the Nx cache restored.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, PLATFORM, type FixtureAdapter } from './__fixtures__/fixture-workspace';
import { describeEvent, type BootstrapEvent } from './events';

const PIPELINE: FixtureAdapter[] = [
  {
    name: 'solo',
    stages: {
      'pre-work': [{ name: 'one', script: 'record' }],
      bootstrap: [
        { name: 'two', script: 'fail', context: { exit_code: 7 } },
        { name: 'three', script: 'record' },
      ],
      validation: [{ name: 'check', script: 'record' }],
    },
  },
];

const human = (events: BootstrapEvent[]): string[] => events.flatMap((e) => (describeEvent(e) ?? '').split('\n').filter(Boolean));

describe('bootstrap progress', () => {
  it('numbers every step [n/N], marks stderr, and after a failure lists what did not run and how to resume', async () => {
    const fx = fixtureWorkspace(PIPELINE);
    const { result, events } = await fx.run({ resumeCommand: `npx ztc bootstrap ${PLATFORM}` });
    expect(result.exitCode).toBe(1);
    const positions = events
      .filter((e) => e.event === 'step_started' || e.event === 'step_finished')
      .map((e) => `${e.event}:${e.step}:${(e as { index: number }).index}/${(e as { total: number }).total}`);
    expect(positions).toEqual(['step_started:solo/one:1/4', 'step_finished:solo/one:1/4', 'step_started:solo/two:2/4', 'step_finished:solo/two:2/4']);
    expect(events.at(-1)).toMatchObject({
      event: 'run_finished',
      outcome: 'failed',
      error_code: 'failed',
      not_run: [
        { step: 'solo/three', stage: 'bootstrap' },
        { step: 'solo/check', stage: 'validation' },
      ],
      resume_command: 'npx ztc bootstrap demo',
    });
    const text = human(events);
    expect(text).toContain('[2/4] [solo/two] start: fixture fail step (timeout 60 s)');
    expect(text).toContain('  not run (2): solo/three (bootstrap), solo/check (validation)');
    expect(text).toContain('  resume: npx ztc bootstrap demo   (steps with a matching receipt are skipped)');
    expect(describeEvent({ event: 'output', step: 'solo/two', stream: 'stderr', line: 'ERROR: no' })).toBe('[solo/two] stderr: ERROR: no');

    fx.writeAdapter({
      ...PIPELINE[0]!,
      stages: {
        ...PIPELINE[0]!.stages,
        bootstrap: [
          { name: 'two', script: 'record' },
          { name: 'three', script: 'record' },
        ],
      },
    });
    fx.render();
    const again = await fx.run({ resumeCommand: 'npx ztc bootstrap demo' });
    expect(again.result.exitCode).toBe(0);
    expect(human(again.events)).toContain('[1/4] [solo/one] skipped: done (receipt matches its script, libraries, context, rendered files, adapter version and secrets)');
    expect(again.events.at(-1)).not.toHaveProperty('not_run');
  });

  it('sends a heartbeat with the elapsed time while a step is silent', async () => {
    const fx = fixtureWorkspace([
      {
        name: 'solo',
        stages: {
          bootstrap: [
            { name: 'slow', script: 'hang', timeout: 1 },
            { name: 'after', script: 'record' },
          ],
        },
      },
    ]);
    const { result, events } = await fx.run({ heartbeatMs: 200, killGraceMs: 200 });
    expect(result.outcome).toBe('timed_out');
    const beats = events.filter((e): e is Extract<BootstrapEvent, { event: 'heartbeat' }> => e.event === 'heartbeat');
    expect(beats.length).toBeGreaterThan(0);
    expect(beats[0]).toMatchObject({ step: 'solo/slow', stage: 'bootstrap' });
    expect(beats[0]!.silent_ms).toBeGreaterThanOrEqual(200);
    expect(describeEvent(beats[0]!)).toMatch(/^\[solo\/slow\] … still running after \d+ s \(no output for \d+ s\)$/);
    expect(events.at(-1)).toMatchObject({ outcome: 'timed_out', not_run: [{ step: 'solo/after', stage: 'bootstrap' }] });
  });

  it('says which receipts the Nx cache restored (a stage that ran nothing here), once', async () => {
    const fx = fixtureWorkspace(PIPELINE.map((a) => ({ ...a, stages: { ...a.stages, bootstrap: [{ name: 'two', script: 'record' }] } })));
    expect((await fx.run({ stage: 'pre-work' })).result.exitCode).toBe(0);
    // Another machine: Nx restored .ztc/receipts and .ztc/state (its outputs), nothing else of .ztc.
    rmSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/local`), { recursive: true });
    const next = await fx.run({ stage: 'bootstrap' });
    expect(next.events.filter((e) => e.event === 'receipts_restored')).toEqual([{ event: 'receipts_restored', stages: [{ stage: 'pre-work', steps: ['solo/one'] }] }]);
    expect(human(next.events)).toContain('stage pre-work came from the Nx cache: restored the receipts of solo/one (not run on this machine)');
    const third = await fx.run({ stage: 'validation' });
    expect(third.events.some((e) => e.event === 'receipts_restored')).toBe(false);
  });
});
