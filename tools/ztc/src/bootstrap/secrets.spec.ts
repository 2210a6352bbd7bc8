import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, type FixtureAdapter } from './__fixtures__/fixture-workspace';
import { createReporter } from './events';

const CANARY = 'cAnArY-7d1e0b/do "not" leak+42';
const OTHER = 'other-secret-5b8f2c-value';

const ADAPTERS: FixtureAdapter[] = [
  {
    name: 'vault',
    checkHealth: { script: 'health', secrets: ['CANARY_TOKEN'] },
    stages: {
      'pre-work': [{ name: 'leak', script: 'leaky', secrets: ['CANARY_TOKEN'], context: { secret_var: 'CANARY_TOKEN' } }],
      bootstrap: [{ name: 'observe', script: 'record', secrets: ['OTHER_TOKEN'] }],
    },
  },
];

/** Every regular file under `dir` (not following the node_modules symlink). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = join(dir, name);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) return [];
    return st.isDirectory() ? filesUnder(abs) : [abs];
  });
}

const forms = (v: string) => [
  v,
  v.slice(7),
  v.slice(10),
  Buffer.from(v).toString('base64').slice(0, 24),
  Buffer.from(v).toString('base64url').slice(0, 24),
  Buffer.from(v).toString('hex').slice(0, 24),
  encodeURIComponent(v).slice(0, 24),
  JSON.stringify(v).slice(1, 25),
];

describe('secrets', () => {
  it('reach the script that declares them and nothing else: no file, log, receipt, event or printed line', async () => {
    const fx = fixtureWorkspace(ADAPTERS);
    const printed: string[] = [];
    const env = { PATH: process.env.PATH, CANARY_TOKEN: CANARY, OTHER_TOKEN: OTHER };
    const reporter = createReporter({ out: (l) => printed.push(l), err: (l) => printed.push(l) }, { json: true });
    const events: unknown[] = [];
    const { result } = await fx.run({ env, onEvent: (e) => (events.push(e), reporter(e)) });
    expect(result.exitCode).toBe(0);

    // The script had the secret: it stored its length, and printed it in every form it could.
    expect(readFileSync(fx.state('secret-length.txt'), 'utf8').trim()).toBe(String(CANARY.length));
    expect(printed).toContain('[vault/leak] the secret is ***');
    expect(printed).toContain('[vault/leak] split: *** (end)');
    expect(printed).toContain('[vault/leak] stderr: on stderr: ***');
    // Each step saw exactly its own secrets.
    const seen = JSON.parse(readFileSync(fx.state('seen.vault.observe.json'), 'utf8'));
    expect(seen.env_names).toContain('OTHER_TOKEN');
    expect(seen.env_names).not.toContain('CANARY_TOKEN');

    const files = [...filesUnder(fx.root), ...filesUnder(fx.tmpRoot)];
    expect(files.some((f) => f.endsWith('vault.leak.log'))).toBe(true);
    expect(files.some((f) => f.includes('/receipts/pre-work/'))).toBe(true);
    const everything = [...files.map((f) => readFileSync(f, 'utf8')), JSON.stringify(events), printed.join('\n')].join('\n');
    for (const secret of [CANARY, OTHER]) for (const form of forms(secret)) expect(everything).not.toContain(form);
  });

  it('a secret written into ZTC_STATE_DIR fails the step and the file is removed', async () => {
    const fx = fixtureWorkspace([
      { name: 'vault', stages: { 'pre-work': [{ name: 'leak', script: 'leaky', secrets: ['CANARY_TOKEN'], context: { secret_var: 'CANARY_TOKEN', leak_to_state: true } }] } },
    ]);
    const { result, events } = await fx.run({ env: { PATH: process.env.PATH, CANARY_TOKEN: CANARY } });
    expect(result.exitCode).toBe(1);
    for (const leaked of ['leaked.txt', 'leaked-hex.txt', 'leaked-url.txt']) expect(existsSync(fx.state(leaked))).toBe(false);
    expect(existsSync(fx.state('public.txt'))).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'output', line: expect.stringContaining('wrote a secret value into ZTC_STATE_DIR (leaked-hex.txt, leaked-url.txt, leaked.txt)') }),
    );
  });

  it('a secret value found in a step context stops the run before anything runs (exit 3)', async () => {
    const fx = fixtureWorkspace([{ name: 'vault', stages: { 'pre-work': [{ name: 'oops', script: 'record', secrets: ['CANARY_TOKEN'], context: { token: CANARY } }] } }]);
    const refused = await fx.run({ env: { PATH: process.env.PATH, CANARY_TOKEN: CANARY } });
    expect(refused.result.exitCode).toBe(3);
    expect(refused.result.error?.message).toContain('the context of vault/oops');
    expect(refused.result.error?.message).not.toContain(CANARY);
    expect(fx.order()).toEqual([]);
  });

  it('a declared secret that is missing stops the run before anything runs (exit 3), naming the variable and the step', async () => {
    const fx = fixtureWorkspace(ADAPTERS);
    const { result } = await fx.run({ env: { PATH: process.env.PATH, OTHER_TOKEN: OTHER } });
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toContain('CANARY_TOKEN for step vault/check-health (preflight)');
    expect(result.error?.message).toContain('CANARY_TOKEN for step vault/leak (pre-work)');
    expect(result.error?.message).toContain('export them, or store them with "ztc init <platform>"');
    expect(result.error?.message).not.toContain('OTHER_TOKEN');
    expect(fx.order()).toEqual([]);
  });
});
