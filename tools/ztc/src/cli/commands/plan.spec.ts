import { describe, expect, it } from 'vitest';
import { runCli } from '../../../testing/run-cli';
import { fixtureWorkspace, PLATFORM } from '../../bootstrap/__fixtures__/fixture-workspace';

const ADAPTERS = [{ name: 'solo', stages: { 'pre-work': [{ name: 'ok', script: 'record' as const }], validation: [{ name: 'check', script: 'record' as const }] } }];

describe('ztc plan --detailed-exitcode and --json', () => {
  it('exits 2 while steps are pending, 0 when only always-run steps are left, 3 when the render is stale', async () => {
    const fx = fixtureWorkspace(ADAPTERS);
    const plan = (...args: string[]) => runCli(['plan', PLATFORM, ...args], fx.root);
    expect((await plan()).code).toBe(0); // without the flag, plan only reports
    const pending = await plan('--detailed-exitcode', '--json');
    expect(pending.code).toBe(2);
    const doc = JSON.parse(pending.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      format_version: 2,
      command: 'plan',
      platform: PLATFORM,
      ok: true,
      exit_code: 2,
      up_to_date: true,
      changes: true,
      problems: [],
      summary: { steps: 2, done: 0, pending: 1, changed: 0, unknown: 0, always: 1 },
    });
    expect((doc.steps as { step: string; status: string; status_detail: string }[]).map((s) => [s.step, s.status, s.status_detail])).toEqual([
      ['solo/ok', 'pending', 'no receipt: bootstrap runs it'],
      ['solo/check', 'always', 'validation and pre-flight steps run on every bootstrap'],
    ]);

    expect((await fx.run()).result.exitCode).toBe(0);
    expect((await plan('--detailed-exitcode')).code).toBe(0);

    fx.ws.write(`platforms/${PLATFORM}/generated/extra.txt`, 'x\n');
    const stale = await plan('--detailed-exitcode', '--json');
    expect(stale.code).toBe(3);
    expect(JSON.parse(stale.stdout)).toMatchObject({ up_to_date: false, exit_code: 3, problems: [{ code: 'file_unexpected', path: `platforms/${PLATFORM}/generated/extra.txt` }] });
  });
});
