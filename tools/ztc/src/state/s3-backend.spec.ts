/**
 * The s3 state backend against the simulated S3 (tools/sim: a loopback server that checks SigV4 and S3's
 * conditional writes): the run lock across checkouts, receipts and state that outlive a checkout, and the
 * private dir kept only encrypted.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { startServer } from '../../../sim/src/server';
import { World } from '../../../sim/src/world/world';
import { runCli } from '../../testing/run-cli';
import { minimalEnv } from '../../testing/run-bin';
import { fixtureWorkspace, PLATFORM, stepsOf, type FixtureAdapter, type FixtureWorkspace } from '../bootstrap/__fixtures__/fixture-workspace';
import type { BootstrapEvent } from '../bootstrap/events';
import { readStateConfig, s3Credentials, type S3StateConfig } from './config';
import { parseLock, RemoteRunLock } from './s3-lock';
import { S3Store } from './s3-store';

const BUCKET = 'ztc-state';
const PREFIX = `platforms/${PLATFORM}`;
const LOCK = `${PREFIX}/run.lock`;
/** An age identity made for these tests (age-keygen), and its recipient. */
const AGE_KEY = 'AGE-SECRET-KEY-1LWYDZYS0JH5D5TF9D5GSJPZ437C4Y8QZDJYGX5GPH5EH99EUE39SGM6HVV';
const AGE_RECIPIENT = 'age1gg4lfr7j50xa599vlhu8yrd85zxj8y02slgzvhtnv55ku2e3dcrqk08ejr';
/** A second one (a colleague, a CI job). */
const OTHER_KEY = 'AGE-SECRET-KEY-1K992E0K9EPCFKMDP4G3TQWHQU0SZYP2DJSH8MZHTSAHD9EQC900Q9NUNCJ';
const OTHER_RECIPIENT = 'age13fu0mnpx5ht2qyfeeerlphupczrsd7k8sfuhlsd7tjzm2ykyhe5qg5qzp2';

const STEPS: FixtureAdapter[] = [
  {
    name: 'alpha',
    stages: {
      'pre-work': [{ name: 'prepare', script: 'record' }],
      bootstrap: [{ name: 'install', script: 'record', secrets: ['DEMO_TOKEN'] }],
      validation: [{ name: 'check', script: 'record' }],
    },
  },
];

interface S3Sim {
  world: World;
  /** The environment that reaches the bucket (endpoint and credentials). */
  env: NodeJS.ProcessEnv;
  objects(): Map<string, Buffer>;
  store(): S3Store;
}

async function s3Sim(): Promise<S3Sim> {
  const world = new World({ servers: [], buckets: [BUCKET] });
  const server = await startServer(world);
  onTestFinished(() => server.close());
  const env = { AWS_ENDPOINT_URL_S3: `${server.url}/s3`, ZTC_STATE_S3_ACCESS_KEY: world.s3.accessKey, ZTC_STATE_S3_SECRET_KEY: world.s3.secretKey };
  return {
    world,
    env,
    objects: () => world.s3.buckets.get(BUCKET)!,
    store() {
      const config: S3StateConfig = { backend: 's3', bucket: BUCKET, prefix: PREFIX, endpoint: env.AWS_ENDPOINT_URL_S3, region: 'fsn1', file: 'platform.yaml' };
      return new S3Store(config, s3Credentials(env, config), { attempts: 1 });
    },
  };
}

/** A fixture checkout of platform demo whose state lives in the simulated bucket. */
function checkout(state: Record<string, unknown> = {}): FixtureWorkspace {
  const fx = fixtureWorkspace(STEPS);
  fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: { alpha: {} }, state: { backend: 's3', bucket: BUCKET, region: 'fsn1', ...state } }));
  fx.render();
  return fx;
}

const TOKEN = 'demo-token-4f1c9a7e2b';

async function run(fx: FixtureWorkspace, sim: S3Sim, extra: NodeJS.ProcessEnv = {}, opts: Parameters<FixtureWorkspace['run']>[0] = {}) {
  return fx.run({ env: { ZTC_PRIVATE_DIR: fx.privateDir, ...minimalEnv(), DEMO_TOKEN: TOKEN, ...sim.env, ...extra }, ...opts });
}

const notices = (events: BootstrapEvent[]) => events.filter((e) => e.event === 'notice').map((e) => (e as { message: string }).message);

describe('s3 state backend: the run lock', () => {
  it('is held while the run goes, names its owner, and is released at the end', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    let during: ReturnType<typeof parseLock>;
    const { result } = await run(
      fx,
      sim,
      {},
      {
        onEvent: (e) => {
          if (e.event === 'step_started' && e.step === 'alpha/install') during = parseLock(sim.objects().get(LOCK)!);
        },
      },
    );
    expect(result).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(during).toMatchObject({ platform: PLATFORM, pid: process.pid, command: `ztc bootstrap ${PLATFORM}` });
    expect(during!.owner).toMatch(/^.+@.+$/);
    expect(Date.parse(during!.expires_at)).toBeGreaterThan(Date.parse(during!.acquired_at));
    expect(sim.objects().has(LOCK)).toBe(false);
  });

  it('refuses a second run (exit 3) naming the holder and since when; nothing runs', async () => {
    const sim = await s3Sim();
    const other = await RemoteRunLock.acquire(sim.store(), LOCK, { platform: PLATFORM, command: 'ztc bootstrap demo', owner: 'ops@laptop-7', pid: 1234 });
    onTestFinished(() => other.release());
    const fx = checkout();
    const { result } = await run(fx, sim);
    expect(result).toMatchObject({ exitCode: 3, outcome: 'refused' });
    expect(result.error?.message).toMatch(
      /^another bootstrap of demo is running: ops@laptop-7 \(pid 1234\) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, lock expires (\d\d:\d\d:\d\dZ|\d{4}-.+Z) \(ztc bootstrap demo, ztc .+\)/,
    );
    expect(fx.order()).toEqual([]);
    expect(parseLock(sim.objects().get(LOCK)!)!.owner).toBe('ops@laptop-7');
  });

  it('lets exactly one of two runs take over an expired lock; the other is told who won', async () => {
    const sim = await s3Sim();
    const expired = {
      lock_version: 1,
      platform: PLATFORM,
      owner: 'ci@runner-3',
      pid: 99,
      ztc_version: '0.1.0',
      command: 'ztc bootstrap demo',
      acquired_at: '2026-01-01T10:00:00Z',
      renewed_at: '2026-01-01T10:00:00Z',
      expires_at: '2026-01-01T10:05:00Z',
      nonce: 'x',
    };
    await sim.store().put(LOCK, Buffer.from(JSON.stringify(expired)));
    const said: string[] = [];
    const take = (owner: string) => RemoteRunLock.acquire(sim.store(), LOCK, { platform: PLATFORM, command: 'ztc bootstrap demo', owner }, { notice: (m) => said.push(m) });
    const results = await Promise.allSettled([take('a@host-a'), take('b@host-b')]);
    const won = results.filter((r): r is PromiseFulfilledResult<RemoteRunLock> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]!.value.holder.owner;
    expect(parseLock(sim.objects().get(LOCK)!)!.owner).toBe(winner);
    expect(String(lost[0]!.reason.message)).toContain(`another bootstrap of demo is running: ${winner}`);
    expect(said).toEqual([expect.stringContaining('took over the run lock of ci@runner-3 (pid 99')]);
    await won[0]!.value.release();
    expect(sim.objects().has(LOCK)).toBe(false);
  });

  it('is released when a step fails and when the run is interrupted', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    fx.writeAdapter({ name: 'alpha', stages: { 'pre-work': [{ name: 'prepare', script: 'record' }], bootstrap: [{ name: 'install', script: 'fail' }] } });
    fx.render();
    const failed = await run(fx, sim);
    expect(failed.result.exitCode).toBe(1);
    expect(sim.objects().has(LOCK)).toBe(false);
    // The step that succeeded before the failure is in the backend.
    expect(sim.objects().has(`${PREFIX}/receipts/pre-work/alpha.prepare.json`)).toBe(true);

    fx.writeAdapter({ name: 'alpha', stages: { bootstrap: [{ name: 'install', script: 'hang', context: { seconds: 30 } }] } });
    fx.render();
    const abort = new AbortController();
    const interrupted = await run(
      fx,
      sim,
      {},
      {
        signal: abort.signal,
        onEvent: (e) => {
          if (e.event === 'output' && e.line === 'waiting') abort.abort('SIGINT');
        },
      },
    );
    expect(interrupted.result).toMatchObject({ exitCode: 130, outcome: 'interrupted' });
    expect(sim.objects().has(LOCK)).toBe(false);
  });

  it('stops a run whose lock was taken over by another run, writing nothing more', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    const { result } = await run(
      fx,
      sim,
      {},
      {
        onEvent: (e) => {
          // Another machine overwrote the lock (as after this run's lock had expired): the next push must not happen.
          if (e.event === 'step_started' && e.step === 'alpha/install')
            sim
              .objects()
              .set(
                LOCK,
                Buffer.from(JSON.stringify({ owner: 'ops@other', pid: 7, expires_at: '2099-01-01T00:00:00Z', acquired_at: '2099-01-01T00:00:00Z', command: 'ztc bootstrap demo' })),
              );
        },
        // Renewed at every push (no timer): the push after the step finds the lock taken.
        stateOptions: { lock: { renewMs: 0 } },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.error?.message).toMatch(/run lock was taken over by ops@other/);
    expect(sim.objects().has(`${PREFIX}/receipts/bootstrap/alpha.install.json`)).toBe(false);
    expect(parseLock(sim.objects().get(LOCK)!)!.owner).toBe('ops@other');
  });
});

describe('s3 state backend: a backend that cannot be written', () => {
  it('stops the run after the step whose push failed (exit 1), naming the bucket, with the rest not run', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    const events: BootstrapEvent[] = [];
    const { result } = await run(
      fx,
      sim,
      {},
      {
        onEvent: (e) => {
          events.push(e);
          if (e.event === 'step_started' && e.step === 'alpha/prepare') sim.world.s3.buckets.delete(BUCKET);
        },
      },
    );
    expect(result).toMatchObject({ exitCode: 1, outcome: 'failed', ran: 1 });
    expect(result.error?.message).toMatch(
      /^could not write the state backend: the state backend s3:\/\/ztc-state at .+ refused PUT platforms\/demo\/state\/order\.txt \(404 NoSuchBucket\)/,
    );
    expect(stepsOf(events, 'step_started')).toEqual(['alpha/prepare']);
    const finished = events.find((e) => e.event === 'run_finished') as Extract<BootstrapEvent, { event: 'run_finished' }>;
    expect(finished.not_run?.map((n) => n.step)).toEqual(['alpha/install', 'alpha/check']);
  });
});

describe('s3 state backend: state that outlives a checkout', () => {
  it('pushes receipts and ZTC_STATE_DIR; a fresh checkout plans every step done and skips them', async () => {
    const sim = await s3Sim();
    const first = checkout();
    expect((await run(first, sim)).result.exitCode).toBe(0);
    const keys = [...sim.objects().keys()].sort();
    expect(keys).toEqual(
      expect.arrayContaining([`${PREFIX}/receipts/pre-work/alpha.prepare.json`, `${PREFIX}/receipts/bootstrap/alpha.install.json`, `${PREFIX}/state/order.txt`]),
    );
    expect(keys.filter((k) => k.includes('/logs/'))).toEqual([]);
    expect(readFileSync(first.ws.path(`platforms/${PLATFORM}/.ztc/receipts/bootstrap/alpha.install.json`))).toEqual(
      sim.objects().get(`${PREFIX}/receipts/bootstrap/alpha.install.json`),
    );

    // Another machine: a new checkout with no .ztc at all.
    const second = checkout();
    expect(existsSync(second.ws.path(`platforms/${PLATFORM}/.ztc/receipts`))).toBe(false);
    const dry = await run(second, sim, { ZTC_PRIVATE_DIR: first.privateDir }, { dryRun: true });
    expect(dry.result.exitCode).toBe(0);
    const planned = dry.events.filter((e): e is Extract<BootstrapEvent, { event: 'step_planned' }> => e.event === 'step_planned');
    expect(planned.filter((p) => p.stage !== 'validation').map((p) => [p.step, p.status])).toEqual([
      ['alpha/prepare', 'done'],
      ['alpha/install', 'done'],
    ]);
    // ztc plan reads the backend too (without the lock), and says so.
    const plan = await runCli(['plan', PLATFORM, '--json'], second.root, { ...sim.env, ZTC_PRIVATE_DIR: first.privateDir, DEMO_TOKEN: TOKEN });
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.stdout) as { state: string; steps: { step: string; status: string }[] };
    expect(doc.state).toBe('s3://ztc-state/platforms/demo');
    expect(doc.steps.filter((st) => st.status !== 'always').map((st) => [st.step, st.status])).toEqual([
      ['alpha/prepare', 'done'],
      ['alpha/install', 'done'],
    ]);
    // Without credentials plan still works, from this checkout's receipts, and warns.
    const blind = await runCli(['plan', PLATFORM], second.root, {
      ZTC_STATE_S3_ACCESS_KEY: '',
      ZTC_STATE_S3_SECRET_KEY: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      ZTC_PRIVATE_DIR: first.privateDir,
    });
    expect(blind.code).toBe(0);
    expect(blind.stderr).toContain('showing the receipts of this checkout (platforms/demo/.ztc) instead');
    // The dry run and plan wrote nothing: not here, not there.
    expect(existsSync(second.ws.path(`platforms/${PLATFORM}/.ztc/receipts`))).toBe(false);

    const again = await run(second, sim, { ZTC_PRIVATE_DIR: first.privateDir });
    expect(again.result).toMatchObject({ exitCode: 0, ran: 1, skipped: 2 });
    expect(stepsOf(again.events, 'step_finished')).toEqual(['alpha/check']);
    expect(readFileSync(second.state('order.txt'), 'utf8')).toBe('alpha/prepare\nalpha/install\nalpha/check\nalpha/check\n');
    expect(notices(again.events)).toContainEqual(expect.stringMatching(/^state from s3:\/\/ztc-state\/platforms\/demo: 2 receipts, \d+ state files \(\d+ fetched/));
    // Pulled receipts are not mistaken for receipts the Nx cache restored.
    expect(again.events.some((e) => e.event === 'receipts_restored')).toBe(false);
  });

  it('seeds an empty backend from an existing local .ztc (moving a platform from local to s3)', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: { alpha: {} } }));
    fx.render();
    expect((await run(fx, sim)).result.exitCode).toBe(0);
    expect(sim.objects().size).toBe(0);
    fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: { alpha: {} }, state: { backend: 's3', bucket: BUCKET, region: 'fsn1' } }));
    fx.render();
    // Before the first run, plan shows what that run will seed the backend with: the local receipts.
    const plan = await runCli(['plan', PLATFORM, '--json'], fx.root, { ...sim.env, ZTC_PRIVATE_DIR: fx.privateDir, DEMO_TOKEN: TOKEN });
    expect((JSON.parse(plan.stdout) as { summary: { done: number } }).summary.done).toBe(2);
    const moved = await run(fx, sim);
    expect(moved.result).toMatchObject({ exitCode: 0, skipped: 2 });
    expect(notices(moved.events)).toContainEqual(`state backend s3://ztc-state/platforms/demo was empty: seeded it from platforms/demo/.ztc (2 receipts, 4 state files)`);
    expect(sim.objects().has(`${PREFIX}/receipts/bootstrap/alpha.install.json`)).toBe(true);
  });

  it('never gives the state credentials to a step, and masks them', async () => {
    const sim = await s3Sim();
    const fx = checkout();
    const identity = join(fx.tmpRoot, 'age-identity.txt');
    writeFileSync(identity, `${AGE_KEY}\n`);
    expect((await run(fx, sim, { ZTC_STATE_AGE_IDENTITY: identity })).result.exitCode).toBe(0);
    const seen = JSON.parse(readFileSync(fx.state('seen.alpha.install.json'), 'utf8')) as { env_names: string[] };
    expect(seen.env_names).toContain('DEMO_TOKEN');
    expect(seen.env_names).not.toContain('ZTC_STATE_AGE_IDENTITY');
    expect(seen.env_names).not.toContain('ZTC_STATE_S3_SECRET_KEY');
    expect(seen.env_names).not.toContain('ZTC_STATE_S3_ACCESS_KEY');
    expect(seen.env_names).toContain('AWS_ENDPOINT_URL_S3');
  });
});

describe('s3 state backend: the private dir, encrypted on the client', () => {
  it('is stored only as age ciphertext, restored into a new machine, and no secret reaches the bucket in clear', async () => {
    const sim = await s3Sim();
    const first = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    const bundle = 'cluster-secret: 8d3f0c1e9b7a4c2d\n';
    mkdirSync(join(first.privateDir, 'talos'), { recursive: true, mode: 0o700 });
    writeFileSync(join(first.privateDir, 'talos', 'secrets.yaml'), bundle, { mode: 0o600 });
    expect((await run(first, sim)).result.exitCode).toBe(0);
    const object = sim.objects().get(`${PREFIX}/private-dir.tar.age`)!;
    expect(object.subarray(0, 21).toString()).toBe('age-encryption.org/v1');

    // Every object of the bucket: no secret value, no plaintext of the private dir, in any usual form.
    const forbidden = [TOKEN, bundle.trim(), '8d3f0c1e9b7a4c2d', sim.world.s3.secretKey];
    const forms = forbidden.flatMap((v) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('hex')]);
    for (const [key, body] of sim.objects()) for (const f of forms) expect(body.toString('latin1').includes(f), `${key} holds ${f}`).toBe(false);

    // A new machine, no private dir, no identity: refused before any step, saying how to restore it.
    const second = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    const refused = await run(second, sim);
    expect(refused.result.exitCode).toBe(3);
    expect(refused.result.error?.message).toContain('export ZTC_STATE_AGE_IDENTITY=');
    expect(stepsOf(refused.events, 'step_started')).toEqual([]);
    expect(sim.objects().has(LOCK)).toBe(false);

    // With the identity (a file, as SOPS_AGE_KEY_FILE): restored before any step runs.
    const identity = join(second.tmpRoot, 'age.key');
    writeFileSync(identity, `# created: test\n${AGE_KEY}\n`, { mode: 0o600 });
    const restored = await run(second, sim, { ZTC_STATE_AGE_IDENTITY: identity });
    expect(restored.result.exitCode).toBe(0);
    expect(readFileSync(join(second.privateDir, 'talos', 'secrets.yaml'), 'utf8')).toBe(bundle);
    expect(notices(restored.events)).toContainEqual(
      expect.stringMatching(/^restored the private dir .+ from s3:\/\/ztc-state\/platforms\/demo\/private-dir.tar.age \(\d+ files?\)$/),
    );

    // Unchanged and to the same recipients: not stored again. A recipient added: stored again, to both.
    const stored = sim.objects().get(`${PREFIX}/private-dir.tar.age`);
    expect((await run(second, sim, { ZTC_STATE_AGE_IDENTITY: identity })).result.exitCode).toBe(0);
    expect(sim.objects().get(`${PREFIX}/private-dir.tar.age`)).toBe(stored);
    second.ws.write(
      `platforms/${PLATFORM}/platform.yaml`,
      stringify({
        version: '1.0',
        adapters: { alpha: {} },
        state: { backend: 's3', bucket: BUCKET, region: 'fsn1', private_dir: { encrypt_to: [AGE_RECIPIENT, OTHER_RECIPIENT] } },
      }),
    );
    second.render();
    expect((await run(second, sim, { ZTC_STATE_AGE_IDENTITY: identity })).result.exitCode).toBe(0);
    expect(sim.objects().get(`${PREFIX}/private-dir.tar.age`)).not.toBe(stored);
    const third = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT, OTHER_RECIPIENT] } });
    expect((await run(third, sim, { ZTC_STATE_AGE_KEY: OTHER_KEY })).result.exitCode).toBe(0);
    expect(readFileSync(join(third.privateDir, 'talos', 'secrets.yaml'), 'utf8')).toBe(bundle);
  });

  it('is never replaced by a machine that cannot read it (its own private dir may lack files)', async () => {
    const sim = await s3Sim();
    const first = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    mkdirSync(join(first.privateDir, 'talos'), { recursive: true, mode: 0o700 });
    writeFileSync(join(first.privateDir, 'talos', 'secrets.yaml'), 'cluster-secret: 1\n', { mode: 0o600 });
    expect((await run(first, sim)).result.exitCode).toBe(0);
    const stored = sim.objects().get(`${PREFIX}/private-dir.tar.age`);
    // Another machine with only a kubeconfig in its private dir and no identity.
    const second = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    mkdirSync(second.privateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(second.privateDir, 'kubeconfig'), 'x', { mode: 0o600 });
    const r = await run(second, sim);
    expect(r.result.exitCode).toBe(0);
    expect(sim.objects().get(`${PREFIX}/private-dir.tar.age`)).toBe(stored);
    expect(notices(r.events)).toContainEqual(
      expect.stringContaining('the private dir was not stored: s3://ztc-state/platforms/demo/private-dir.tar.age holds a copy this run could not read'),
    );
    // With the identity, the two are merged (the missing bundle restored) and the result stored.
    const merged = await run(second, sim, { ZTC_STATE_AGE_KEY: AGE_KEY });
    expect(merged.result.exitCode).toBe(0);
    expect(readFileSync(join(second.privateDir, 'talos', 'secrets.yaml'), 'utf8')).toBe('cluster-secret: 1\n');
    expect(sim.objects().get(`${PREFIX}/private-dir.tar.age`)).not.toBe(stored);
  });

  it('says which identity does not decrypt it', async () => {
    const sim = await s3Sim();
    const first = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    mkdirSync(first.privateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(first.privateDir, 'kubeconfig'), 'x', { mode: 0o600 });
    expect((await run(first, sim)).result.exitCode).toBe(0);
    const second = checkout({ private_dir: { encrypt_to: [AGE_RECIPIENT] } });
    const wrong = 'AGE-SECRET-KEY-102H4TRP3GZ68N0FUXAPS79P8A47TENWW2SNDHF6849ZDXQYMWAHQTDV8RP';
    const r = await run(second, sim, { ZTC_STATE_AGE_KEY: wrong });
    expect(r.result.exitCode).toBe(3);
    expect(r.result.error?.message).toMatch(/could not be decrypted with the identity of ZTC_STATE_AGE_KEY/);
    expect(r.result.error?.message).not.toContain(wrong);
  });
});

describe('s3 state backend: configuration', () => {
  it('names the file, the field and the fix for a bad state section (exit 3)', async () => {
    const fx = fixtureWorkspace(STEPS);
    fx.ws.write(
      `platforms/${PLATFORM}/platform.yaml`,
      stringify({ version: '1.0', adapters: { alpha: {} }, state: { backend: 's3', bucket: 'Bad_Bucket', private_dir: { encrypt_to: ['AGE-SECRET-KEY-1XYZ'] } } }),
    );
    expect(() => readStateConfig(fx.root, PLATFORM, {})).toThrow(
      expect.objectContaining({
        exitCode: 3,
        message: expect.stringMatching(
          /platforms\/demo\/platform\.yaml: state\.bucket: not a bucket name[\s\S]*state\.region: missing[\s\S]*fix: add "region: <region>"[\s\S]*state\.private_dir\.encrypt_to\[0\]: not an age recipient[\s\S]*never the AGE-SECRET-KEY/,
        ),
      }),
    );
  });

  it('plan still shows the steps with a bad state section, and its detailed exit code says bootstrap would refuse', async () => {
    const fx = fixtureWorkspace(STEPS);
    fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: { alpha: {} }, state: { backend: 's3', region: 'fsn1' } }));
    const r = await runCli(['plan', PLATFORM, '--detailed-exitcode'], fx.root, { ZTC_PRIVATE_DIR: fx.privateDir });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('alpha/install');
    expect(r.stderr).toContain('state.bucket: missing: the s3 backend needs a bucket');
  });

  it('asks for credentials from the environment, naming the variables', async () => {
    const fx = checkout();
    const { result } = await fx.run({ env: { ZTC_PRIVATE_DIR: fx.privateDir, ...minimalEnv(), DEMO_TOKEN: TOKEN } });
    expect(result.exitCode).toBe(3);
    expect(result.error?.message).toMatch(
      /no credentials for it are set: export ZTC_STATE_S3_ACCESS_KEY and ZTC_STATE_S3_SECRET_KEY \(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\)/,
    );
  });

  it('is kept by ztc init, which does not set it', async () => {
    const fx = checkout({ prefix: 'ops/demo' });
    const r = await runCli(['init', PLATFORM, '--non-interactive', '--skip-init-scripts', '--set', 'platform.organization=acme', '--set', 'platform.app_name=demo'], fx.root, {
      ZTC_PRIVATE_DIR: fx.privateDir,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fx.ws.read(`platforms/${PLATFORM}/platform.yaml`)).toMatch(/^state:\n {2}backend: s3\n {2}bucket: ztc-state\n {2}region: fsn1\n {2}prefix: ops\/demo\n/m);
  });

  it('does not change the rendered output, only the platform hash', async () => {
    const local = fixtureWorkspace(STEPS);
    const s3 = checkout({ prefix: 'x/y', endpoint: 'https://fsn1.your-objectstorage.com' });
    const read = (fx: FixtureWorkspace, rel: string) => fx.ws.read(`platforms/${PLATFORM}/${rel}`);
    expect(read(s3, 'pipeline.yaml')).toBe(read(local, 'pipeline.yaml'));
    const lock = (fx: FixtureWorkspace) => ({ ...JSON.parse(read(fx, 'lock.json')), platform_hash: undefined, pipeline_hash: undefined });
    expect(lock(s3)).toEqual(lock(local));
    expect(JSON.parse(read(s3, 'lock.json')).platform_hash).not.toBe(JSON.parse(read(local, 'lock.json')).platform_hash);
  });
});
