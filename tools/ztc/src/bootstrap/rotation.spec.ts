import { createHash, createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { fixtureWorkspace, PLATFORM, stepsOf, type FixtureAdapter, type FixtureWorkspace } from './__fixtures__/fixture-workspace';
import { createReporter, type BootstrapEvent } from './events';
import { planBootstrap } from './plan';
import { RECEIPT_KEY_FILE } from './secret-digests';

const A1 = 'token-a-first-9f2c71';
const A2 = 'token-a-rotated-41d0be';
const B = 'token-b-unchanged-77aa03';

/** Two steps receive TOKEN_A, one TOKEN_B, one none; `cni` renders a file the steps of `zeta` read. */
const vault = (message = 'hello', version = '1.0.0'): FixtureAdapter => ({
  name: 'vault',
  version,
  stages: {
    'pre-work': [{ name: 'a', script: 'record', secrets: ['TOKEN_A'] }],
    bootstrap: [
      { name: 'b', script: 'record', secrets: ['TOKEN_B'] },
      { name: 'c', script: 'record', context: { message, nodes: [{ name: 'n1', ip: '10.0.0.1' }], server_ips: ['10.0.0.1'] } },
      { name: 'd', script: 'record', secrets: ['TOKEN_A'], disruptive: 'reboots every server into the rescue system' },
    ],
    validation: [{ name: 'check', script: 'record' }],
  },
});

const env = (fx: FixtureWorkspace, a: string | null, b: string | null = B) => ({
  PATH: process.env.PATH,
  HOME: fx.tmpRoot,
  ZTC_PRIVATE_DIR: fx.privateDir,
  ...(a !== null && { TOKEN_A: a }),
  ...(b !== null && { TOKEN_B: b }),
});

const plan = (fx: FixtureWorkspace, e: NodeJS.ProcessEnv) => Object.fromEntries(planBootstrap(fx.root, PLATFORM, e).map((s) => [s.step, s]));
const statuses = (fx: FixtureWorkspace, e: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(plan(fx, e)).map(([k, v]) => [k, v.status]));

function receiptsText(fx: FixtureWorkspace): string {
  const dir = fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

async function runFresh(fx: FixtureWorkspace, e: NodeJS.ProcessEnv) {
  rmSync(fx.state('order.txt'), { force: true });
  const r = await fx.run({ env: e });
  return { ...r, order: fx.order() };
}

describe('receipts cover the secrets a step receives (keyed digests)', () => {
  it('a rotated secret re-runs exactly the steps that receive it; receipts hold nothing a value can be found from', async () => {
    const fx = fixtureWorkspace([vault()]);
    const first = await runFresh(fx, env(fx, A1));
    expect(first.result.exitCode).toBe(0);
    expect(first.events).toContainEqual({ event: 'notice', message: expect.stringContaining(`made the receipt digest key ${join(fx.privateDir, RECEIPT_KEY_FILE)}`) });
    const keyFile = join(fx.privateDir, RECEIPT_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);

    // Unchanged: nothing but validation runs, and the key is not made again.
    const same = await runFresh(fx, env(fx, A1));
    expect(same.order).toEqual(['vault/check']);
    expect(same.events.filter((e) => e.event === 'notice')).toEqual([]);

    const e2 = env(fx, A2);
    const planned = plan(fx, e2);
    expect(statuses(fx, e2)).toEqual({ 'vault/a': 'changed', 'vault/b': 'done', 'vault/c': 'done', 'vault/d': 'changed', 'vault/check': 'always' });
    expect(planned['vault/a']!.changes).toEqual([{ kind: 'secret', name: 'TOKEN_A', change: 'modified' }]);
    expect(planned['vault/d']!.changes).toEqual([{ kind: 'secret', name: 'TOKEN_A', change: 'modified' }]);

    const rotated = await runFresh(fx, e2);
    expect(rotated.result).toMatchObject({ exitCode: 0, ran: 3, skipped: 2 });
    expect(rotated.order).toEqual(['vault/a', 'vault/d', 'vault/check']);
    const lines: string[] = [];
    const reporter = createReporter({ out: (l) => lines.push(l), err: (l) => lines.push(l) }, { json: false });
    rotated.events.forEach(reporter);
    expect(lines.join('\n')).toContain('[vault/a] running because: secret TOKEN_A changed');
    expect(statuses(fx, e2)).toMatchObject({ 'vault/a': 'done', 'vault/d': 'done' });

    // No value, no plain hash of one, no digest without the key: only HMACs under the private dir's key.
    const text = receiptsText(fx);
    const key = readFileSync(keyFile);
    for (const v of [A1, A2, B]) {
      expect(text).not.toContain(v);
      expect(text).not.toContain(createHash('sha256').update(v).digest('hex'));
    }
    expect(text).toContain(createHmac('sha256', key).update(`TOKEN_A\0${A2}`).digest('hex'));
    expect(JSON.parse(fx.ws.read(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/vault.d.json`))).toMatchObject({
      receipt_version: 2,
      secret_digests: { TOKEN_A: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(existsSync(fx.ws.path(RECEIPT_KEY_FILE))).toBe(false);
  });

  it('without the digest key (a private dir not restored) the steps with secrets count as changed, and a run makes a new key', async () => {
    const fx = fixtureWorkspace([vault()]);
    await runFresh(fx, env(fx, A1));
    rmSync(join(fx.privateDir, RECEIPT_KEY_FILE));
    const e = env(fx, A1);
    expect(statuses(fx, e)).toEqual({ 'vault/a': 'changed', 'vault/b': 'changed', 'vault/c': 'done', 'vault/d': 'changed', 'vault/check': 'always' });
    expect(plan(fx, e)['vault/b']!.changes).toEqual([{ kind: 'secret_digest_key', name: join(fx.privateDir, RECEIPT_KEY_FILE), change: 'removed' }]);
    const human = await runCli(['plan', PLATFORM], fx.root, e);
    expect(human.stdout).toContain('changed: secret digest key missing from the private dir');

    const again = await runFresh(fx, e);
    expect(again.order).toEqual(['vault/a', 'vault/b', 'vault/d', 'vault/check']);
    expect(existsSync(join(fx.privateDir, RECEIPT_KEY_FILE))).toBe(true);
    expect(statuses(fx, e)).toMatchObject({ 'vault/a': 'done', 'vault/b': 'done', 'vault/d': 'done' });

    // Another machine's key (receipts that came through a cache or backend): said as such, not as rotated secrets.
    writeFileSync(join(fx.privateDir, RECEIPT_KEY_FILE), Buffer.alloc(32, 7), { mode: 0o600 });
    expect(plan(fx, e)['vault/b']!.changes).toEqual([{ kind: 'secret_digest_key', name: join(fx.privateDir, RECEIPT_KEY_FILE), change: 'modified' }]);
    expect((await runCli(['plan', PLATFORM], fx.root, e)).stdout).toContain('is not the one the receipt was written with');
    expect(statuses(fx, e)['vault/c']).toBe('done');
  });

  it('a secret plan cannot read makes the step unknown, not done; bootstrap then asks for it', async () => {
    const fx = fixtureWorkspace([vault()]);
    await runFresh(fx, env(fx, A1));
    const noB = env(fx, A1, null);
    const entry = plan(fx, noB)['vault/b']!;
    expect(entry).toMatchObject({ status: 'unknown', changes: [], secrets_unknown: ['TOKEN_B'] });
    const json = await runCli(['plan', PLATFORM, '--json', '--detailed-exitcode'], fx.root, noB);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ format_version: 2, summary: { unknown: 1, changed: 0 } });
    const human = await runCli(['plan', PLATFORM], fx.root, noB);
    expect(human.stdout).toContain('unknown: secret TOKEN_B has no value here');
    const refused = await runFresh(fx, noB);
    expect(refused.result.exitCode).toBe(3);
    expect(refused.result.error?.message).toContain('TOKEN_B for step vault/b (bootstrap)');
    expect(refused.order).toEqual([]);
    // --stage after it: the earlier step is not known to be done, and why.
    const noA = await fx.run({ env: env(fx, null), stage: 'bootstrap' });
    expect(noA.result.exitCode).toBe(3);
    expect(noA.result.error?.message).toContain('vault/a (pre-work): unknown (secret TOKEN_A has no value here)');
  });

  it('with an invalid platform.yaml (the private dir cannot be located) plan counts the secrets unknown', async () => {
    const fx = fixtureWorkspace([vault()]);
    const e = env(fx, A1);
    await runFresh(fx, e);
    fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, 'version: "1.0"\nadapters: { vault: {} }\nbogus: 1\n');
    expect(plan(fx, { ...e, ZTC_PRIVATE_DIR: undefined })['vault/b']).toMatchObject({ status: 'unknown', secrets_unknown: ['TOKEN_B'] });
    expect(plan(fx, { ...e, ZTC_PRIVATE_DIR: undefined })['vault/c']!.status).toBe('done');
  });

  it('plan names what changed: script, library, adapter version, context paths, rendered files', async () => {
    const zeta: FixtureAdapter = { name: 'zeta', cni: 'provides', stages: { 'post-work': [{ name: 'z', script: 'record' }] } };
    const fx = fixtureWorkspace([vault(), zeta]);
    const e = env(fx, A1);
    await runFresh(fx, e);
    expect(Object.values(plan(fx, e)).filter((s) => s.status !== 'done' && s.status !== 'always')).toEqual([]);

    fx.writeAdapter(vault('changed message', '1.1.0'));
    fx.ws.write('adapters/vault/scripts/lib/helpers.sh', 'helper() { :; }\n');
    fx.ws.write('adapters/vault/scripts/record.sh', `${readFileSync(fx.ws.path('adapters/vault/scripts/record.sh'), 'utf8')}# edited\n`);
    fx.ws.write('adapters/zeta/render.ts', readFileSync(fx.ws.path('adapters/zeta/render.ts'), 'utf8').replace('fixture cni', 'fixture cni v2'));
    fx.render();
    const now = plan(fx, e);
    const kinds = (id: string) => now[id]!.changes.map((c) => `${c.kind}:${c.name}:${c.change}${c.from ? `:${c.from}` : ''}`);
    expect(kinds('vault/c')).toEqual([
      'script:adapters/vault/scripts/record.sh:modified',
      'library:helpers.sh:added',
      'adapter_version:1.1.0:modified:1.0.0',
      // A short scalar (a version, a message) is shown with its value then and now.
      'context:context.message:modified:hello',
    ]);
    expect(now['vault/c']!.changes.find((c) => c.kind === 'context')).toEqual({
      kind: 'context',
      name: 'context.message',
      change: 'modified',
      from: 'hello',
      to: 'changed message',
    });
    expect((await runCli(['plan', PLATFORM], fx.root, e)).stdout).toContain('changed: context.message hello -> changed message');
    expect(kinds('zeta/z')).toEqual(['file:zeta/cni.txt:modified']);

    // A new node: the subtree by its top path, and a list entry by its index.
    fx.writeAdapter({
      ...vault('changed message', '1.1.0'),
      stages: {
        ...vault().stages,
        bootstrap: [
          { name: 'b', script: 'record', secrets: ['TOKEN_B'] },
          {
            name: 'c',
            script: 'record',
            context: {
              message: 'changed message',
              nodes: [
                { name: 'n1', ip: '10.0.0.1' },
                { name: 'n2', ip: '10.0.0.2' },
              ],
              server_ips: ['10.0.0.9'],
            },
          },
        ],
      },
    });
    fx.render();
    const contextOnly = plan(fx, e)['vault/c']!.changes.filter((c) => c.kind === 'context');
    expect(contextOnly).toEqual([
      { kind: 'context', name: 'context.message', change: 'modified', from: 'hello', to: 'changed message' },
      { kind: 'context', name: 'context.nodes[1]', change: 'added' },
      { kind: 'context', name: 'context.server_ips[0]', change: 'modified', from: '10.0.0.1', to: '10.0.0.9' },
    ]);
    const human = await runCli(['plan', PLATFORM], fx.root, e);
    expect(human.stdout).toContain('changed: context.nodes[1] added');
    expect(human.stdout).toContain('changed: adapter version 1.0.0 -> 1.1.0');
    expect(human.stdout).toContain('changed: rendered file zeta/cni.txt changed');
    const json = JSON.parse((await runCli(['plan', PLATFORM, '--json'], fx.root, e)).stdout) as { steps: { step: string; changes: { kind: string; message: string }[] }[] };
    expect(json.steps.find((s) => s.step === 'vault/c')!.changes).toContainEqual({ kind: 'context', name: 'context.nodes[1]', change: 'added', message: 'context.nodes[1] added' });
  });

  it('reads a receipt of the older ztc: still done for a step without secrets, changed (and why) for one with', async () => {
    const fx = fixtureWorkspace([vault()]);
    const e = env(fx, A1);
    await runFresh(fx, e);
    for (const id of ['bootstrap/vault.b', 'bootstrap/vault.c']) {
      const file = fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts/${id}.json`);
      const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      // What ztc 1 wrote: no parts, no secret digests; the same key for a step without secrets.
      const { adapter, adapter_version, context_sha256, key, script, script_sha256, stage, step } = r;
      writeFileSync(file, JSON.stringify({ adapter, adapter_version, context_sha256, key, receipt_version: 1, script, script_sha256, stage, step }));
    }
    const now = plan(fx, e);
    expect(now['vault/c']!.status).toBe('done');
    expect(now['vault/b']).toMatchObject({ status: 'changed', changes: [{ kind: 'receipt', name: 'receipt from an older ztc (no secret digests)' }] });
  });
});

describe('disruptive steps are marked', () => {
  it('in ztc plan (human and JSON), the dry run and the start line of a real run (human and step_started)', async () => {
    const fx = fixtureWorkspace([vault()]);
    const e = env(fx, A1);
    const human = await runCli(['plan', PLATFORM], fx.root, e);
    const row = human.stdout.split('\n').find((l) => l.includes('vault/d'));
    expect(row).toMatch(/pending\s+! disruptive: reboots every server into the rescue system$/);
    expect(human.stdout.split('\n').find((l) => l.includes('vault/c'))).not.toContain('disruptive');
    const json = JSON.parse((await runCli(['plan', PLATFORM, '--json'], fx.root, e)).stdout) as { steps: { step: string; disruptive?: string }[] };
    expect(json.steps.find((s) => s.step === 'vault/d')!.disruptive).toBe('reboots every server into the rescue system');
    expect(json.steps.find((s) => s.step === 'vault/c')).not.toHaveProperty('disruptive');
    expect(fx.ws.read(`platforms/${PLATFORM}/pipeline.yaml`)).toContain('disruptive: reboots every server into the rescue system');

    const printed = (events: BootstrapEvent[]) => {
      const lines: string[] = [];
      const reporter = createReporter({ out: (l) => lines.push(l), err: () => undefined }, { json: false });
      events.forEach(reporter);
      return lines.join('\n');
    };
    const dry = await fx.run({ env: e, dryRun: true });
    expect(dry.events).toContainEqual(
      expect.objectContaining({ event: 'step_planned', step: 'vault/d', action: 'run', disruptive: 'reboots every server into the rescue system' }),
    );
    expect(printed(dry.events)).toContain('[4/5] [vault/d] would run (pending)  ! disruptive: reboots every server into the rescue system');

    const real = await fx.run({ env: e });
    expect(real.result.exitCode).toBe(0);
    expect(real.events).toContainEqual(expect.objectContaining({ event: 'step_started', step: 'vault/d', disruptive: 'reboots every server into the rescue system' }));
    expect(real.events.find((x) => x.event === 'step_started' && x.step === 'vault/c')).not.toHaveProperty('disruptive');
    expect(printed(real.events)).toMatch(/\[4\/5\] \[vault\/d\] start: fixture record step \(timeout 60 s\) {2}! disruptive: reboots every server into the rescue system/);
    expect(stepsOf(real.events, 'step_finished')).toEqual(['vault/a', 'vault/b', 'vault/c', 'vault/d', 'vault/check']);
  });
});
