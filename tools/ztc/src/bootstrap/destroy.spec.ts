/**
 * `ztc destroy` and `ztc backup` with fixture adapters in temp workspaces: the confirmation, the dry run,
 * the teardown order, purge steps, what is deleted or kept, the run lock, the "run render first" check,
 * failures, and the backup's files. In-process (runCli and runDestroy/runBackup), real bash scripts.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { startServer } from '../../../sim/src/server';
import { World } from '../../../sim/src/world/world';
import { minimalEnv } from '../../testing/run-bin';
import { runCli } from '../../testing/run-cli';
import type { Prompter } from '../init/prompter';
import { decryptWith, untar } from '../state/private-archive';
import { stateArea } from '../workspace/state-area';
import { fixtureWorkspace, PLATFORM, stepsOf, type FixtureAdapter, type FixtureWorkspace } from './__fixtures__/fixture-workspace';
import { describeEvent, type BootstrapEvent } from './events';
import { acquireRunLock } from './run-lock';
import { runBackup, runDestroy, type DestroyOptions } from './run-ops';

/** zeta provides cni, alpha requires it: bootstrap runs zeta before alpha, destroy alpha before zeta. */
const ADAPTERS: FixtureAdapter[] = [
  {
    name: 'alpha',
    cni: 'requires',
    stages: { bootstrap: [{ name: 'install', script: 'record' }] },
    teardown: [
      { name: 'uninstall', script: 'record', disruptive: 'deletes the apps' },
      { name: 'forget', script: 'record', purge: 'deletes the apps’ bucket for good' },
    ],
    backup: { name: 'dump', script: 'snapshot', context: { message: 'alpha data' } },
  },
  {
    name: 'zeta',
    cni: 'provides',
    stages: { bootstrap: [{ name: 'net', script: 'record' }] },
    teardown: [{ name: 'unnet', script: 'record' }],
    backup: { name: 'snap', script: 'snapshot', context: { message: 'etcd snapshot' } },
  },
];

async function bootstrapped(adapters = ADAPTERS): Promise<FixtureWorkspace> {
  const fx = fixtureWorkspace(adapters);
  expect((await fx.run()).result.exitCode).toBe(0);
  mkdirSync(join(fx.privateDir, 'talos'), { recursive: true });
  writeFileSync(join(fx.privateDir, 'talos', 'talosconfig'), 'context: demo\n');
  writeFileSync(fx.state('order.txt'), '');
  return fx;
}

const receipts = (fx: FixtureWorkspace) => {
  const dir = fx.ws.path(`platforms/${PLATFORM}/.ztc/receipts`);
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json')).length : 0;
};

async function destroy(fx: FixtureWorkspace, opts: Partial<DestroyOptions> = {}) {
  const events: BootstrapEvent[] = [];
  const result = await runDestroy({
    workspaceRoot: fx.root,
    platform: PLATFORM,
    env: { ...minimalEnv(), ZTC_PRIVATE_DIR: fx.privateDir },
    tmpRoot: fx.tmpRoot,
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { result, events };
}

const cli = (fx: FixtureWorkspace, args: string[], prompter?: Prompter) => runCli(args, fx.root, { ...minimalEnv(), ZTC_PRIVATE_DIR: fx.privateDir, TMPDIR: fx.tmpRoot }, prompter);

const typing = (answer: string): Prompter & { asked: string[] } => {
  const asked: string[] = [];
  const no = () => Promise.reject(new Error('not asked'));
  return { asked, text: async (o) => (asked.push(o.message), answer), secret: no, confirm: no, select: no, editor: no };
};

describe('ztc destroy: confirmation', () => {
  it('without --confirm and no terminal: exit 64 saying how, nothing run', async () => {
    const fx = await bootstrapped();
    const r = await cli(fx, ['destroy', PLATFORM]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`confirm with --confirm ${PLATFORM}, or run it in a terminal and type the name`);
    expect(fx.order()).toEqual([]);
    expect(receipts(fx)).toBe(2);
  });

  it('a wrong --confirm or a wrong name typed: refused (exit 3), nothing run', async () => {
    const fx = await bootstrapped();
    const wrong = await cli(fx, ['destroy', PLATFORM, '--confirm', 'prod']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(`--confirm "prod" does not match the platform "${PLATFORM}"; nothing was run`);
    const typed = typing('dmeo');
    const mistyped = await cli(fx, ['destroy', PLATFORM], typed);
    expect(mistyped.code).toBe(3);
    expect(typed.asked).toEqual([`This runs the teardown steps of ${PLATFORM} against its live cluster. Type the platform name to confirm:`]);
    expect(fx.order()).toEqual([]);
  });

  it('the name typed in a terminal confirms it', async () => {
    const fx = await bootstrapped();
    const r = await cli(fx, ['destroy', PLATFORM], typing(PLATFORM));
    expect(r.code).toBe(0);
    expect(fx.order()).toEqual(['alpha/uninstall', 'zeta/unnet']);
  });
});

describe('ztc destroy --dry-run', () => {
  it('lists every step in teardown order, the skipped purge step, what is kept, and changes nothing', async () => {
    const fx = await bootstrapped();
    const r = await cli(fx, ['destroy', PLATFORM, '--dry-run']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[1/3] [alpha/uninstall] would run: fixture record step (always)  ! disruptive: deletes the apps');
    expect(lines).toContain('[2/3] [alpha/forget] would skip: fixture record step (purge step: runs only with --purge-private)');
    expect(lines).toContain('    purges: deletes the apps’ bucket for good');
    expect(lines).toContain('[3/3] [zeta/unnet] would run: fixture record step (always)');
    expect(r.stdout).toContain(`private dir: ${fx.privateDir} (credentials, backups) is kept; run "ztc destroy" again with --purge-private to delete it`);
    expect(r.stdout).toContain(`receipts: the bootstrap receipts in platforms/${PLATFORM}/.ztc/receipts are cleared after every step succeeded`);
    expect(r.stdout).toContain('pre-flight checks (check_health) are not run');
    expect(fx.order()).toEqual([]);
    expect(receipts(fx)).toBe(2);
    expect(existsSync(join(fx.privateDir, 'talos', 'talosconfig'))).toBe(true);
  });

  it('with --purge-private names what would be deleted, as JSON events too', async () => {
    const fx = await bootstrapped();
    const r = await cli(fx, ['destroy', PLATFORM, '--dry-run', '--purge-private', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout.split('\n').map((l) => JSON.parse(l) as BootstrapEvent & Record<string, unknown>);
    expect(events.filter((e) => e.event === 'step_planned').map((e) => [e.step, e.action])).toEqual([
      ['alpha/uninstall', 'run'],
      ['alpha/forget', 'run'],
      ['zeta/unnet', 'run'],
    ]);
    expect(events.filter((e) => e.event === 'purge').map((e) => [e.item, e.action, e.location])).toEqual([
      ['receipts', 'would_delete', `platforms/${PLATFORM}/.ztc/receipts`],
      ['private_dir', 'would_delete', fx.privateDir],
      ['local_state', 'would_delete', `platforms/${PLATFORM}/.ztc`],
    ]);
    expect(fx.order()).toEqual([]);
    expect(existsSync(fx.privateDir)).toBe(true);
  });
});

describe('ztc destroy', () => {
  it('runs teardown in reverse adapter order, skips purge steps, clears the receipts and keeps the private dir', async () => {
    const fx = await bootstrapped();
    const { result, events } = await destroy(fx);
    expect(result).toMatchObject({ exitCode: 0, outcome: 'succeeded', ran: 2, skipped: 1 });
    expect(fx.order()).toEqual(['alpha/uninstall', 'zeta/unnet']);
    const seen = JSON.parse(readFileSync(fx.state('seen.alpha.uninstall.json'), 'utf8')) as { stage: string; env_names: string[] };
    expect(seen.stage).toBe('teardown');
    expect(seen.env_names).toEqual(expect.arrayContaining(['ZTC_PRIVATE_DIR', 'ZTC_STEP_DEADLINE', 'ZTC_LIB_DIR', 'KUBECONFIG']));
    expect(events.find((e) => e.event === 'step_skipped')).toMatchObject({
      step: 'alpha/forget',
      reason: 'purge step: runs only with --purge-private (it deletes the apps’ bucket for good)',
    });
    expect(receipts(fx)).toBe(0);
    expect(readFileSync(join(fx.privateDir, 'talos', 'talosconfig'), 'utf8')).toBe('context: demo\n');
    expect(events.filter((e) => e.event === 'purge').map((e) => [e.item, e.action])).toEqual([
      ['receipts', 'deleted'],
      ['private_dir', 'kept'],
      ['local_state', 'kept'],
    ]);
    // The next bootstrap runs every step again: the cluster is gone.
    writeFileSync(fx.state('order.txt'), '');
    expect((await fx.run()).result).toMatchObject({ exitCode: 0, ran: 2, skipped: 0 });
  });

  it('with --purge-private runs the purge steps, then deletes the private dir and the local state', async () => {
    const fx = await bootstrapped();
    const { result, events } = await destroy(fx, { purgePrivate: true });
    expect(result.exitCode).toBe(0);
    expect(stepsOf(events, 'step_finished')).toEqual(['alpha/uninstall', 'alpha/forget', 'zeta/unnet']);
    expect(existsSync(fx.privateDir)).toBe(false);
    expect(existsSync(fx.state('order.txt'))).toBe(false);
    expect(receipts(fx)).toBe(0);
    expect(events.filter((e) => e.event === 'purge').map((e) => (e as { message: string }).message)).toEqual([
      `receipts: cleared platforms/${PLATFORM}/.ztc/receipts (the next bootstrap runs every step)`,
      `private dir: deleted ${fx.privateDir}`,
      `local state: deleted platforms/${PLATFORM}/.ztc/state and platforms/${PLATFORM}/.ztc/logs`,
    ]);
  });

  it('--purge-private refuses a ZTC_PRIVATE_DIR that holds more than the platform (home, the ztc state folder): nothing run or deleted, dry run too', async () => {
    const fx = await bootstrapped();
    const outer = mkdtempSync(join(tmpdir(), 'ztc-home-'));
    onTestFinished(() => rmSync(outer, { recursive: true, force: true }));
    chmodSync(outer, 0o700);
    const home = join(outer, 'home');
    const otherPlatform = join(home, '.local', 'state', 'ztc', '_', '_', 'prod');
    mkdirSync(otherPlatform, { recursive: true, mode: 0o700 });
    writeFileSync(join(otherPlatform, 'kubeconfig'), 'prod credentials\n');
    for (const dir of [home, join(home, '.local', 'state', 'ztc')]) {
      chmodSync(dir, 0o700);
      for (const dryRun of [true, false]) {
        const { result, events } = await destroy(fx, {
          purgePrivate: true,
          dryRun,
          env: { ...minimalEnv(), HOME: home, XDG_STATE_HOME: join(home, '.local', 'state'), ZTC_PRIVATE_DIR: dir },
        });
        expect(result).toMatchObject({ exitCode: 3 });
        expect(result.error?.code).toBe('unsafe_purge');
        expect(result.error?.message).toContain(`--purge-private would delete the private dir ${dir} with everything in it`);
        expect(result.error?.message).toContain(`Set ZTC_PRIVATE_DIR to demo's own private dir (the default is ${join(home, '.local', 'state', 'ztc', '_', '_', 'demo')})`);
        expect(stepsOf(events, 'step_planned')).toEqual([]);
      }
    }
    expect(fx.order()).toEqual([]);
    expect(readFileSync(join(otherPlatform, 'kubeconfig'), 'utf8')).toBe('prod credentials\n');
    expect(receipts(fx)).toBe(2);
  });

  it('stops at the first failing step (exit 1, naming it), keeps receipts and private dir; a re-run runs every step again', async () => {
    const failing: FixtureAdapter[] = [
      ADAPTERS[0]!,
      {
        ...ADAPTERS[1]!,
        teardown: [
          { name: 'unnet', script: 'fail' },
          { name: 'after', script: 'record' },
        ],
      },
    ];
    const fx = await bootstrapped(failing);
    const { result, events } = await destroy(fx, { purgePrivate: true, resumeCommand: 'ztc destroy demo --confirm demo --purge-private' });
    expect(result.exitCode).toBe(1);
    expect(result.error?.message).toMatch(/^step zeta\/unnet \(teardown\) failed with exit code 1; log: platforms\/demo\/\.ztc\/logs\/teardown\/zeta\.unnet\.log$/);
    expect(events.at(-1)).toMatchObject({ event: 'run_finished', command: 'destroy', not_run: [{ step: 'zeta/after', stage: 'teardown' }] });
    expect(describeEvent(events.at(-1)!)).toContain('resume: ztc destroy demo --confirm demo --purge-private   (every step runs again)');
    expect(fx.order()).toEqual(['alpha/uninstall', 'alpha/forget', 'zeta/unnet']);
    expect(receipts(fx)).toBe(2);
    expect(existsSync(join(fx.privateDir, 'talos', 'talosconfig'))).toBe(true);
    writeFileSync(fx.state('order.txt'), '');
    await destroy(fx, { purgePrivate: true });
    expect(fx.order()).toEqual(['alpha/uninstall', 'alpha/forget', 'zeta/unnet']);
  });

  it('holds the platform’s run lock while it clears the receipts and purges: a bootstrap started meanwhile is refused', async () => {
    const fx = await bootstrapped();
    const during: string[] = [];
    const { result } = await destroy(fx, {
      purgePrivate: true,
      onEvent: (e) => {
        if (e.event !== 'purge') return;
        try {
          acquireRunLock(stateArea(fx.root, PLATFORM))();
          during.push(`${e.item}: lock free`);
        } catch (err) {
          during.push(`${e.item}: ${(err as { code?: string }).code}`);
        }
      },
    });
    expect(result.exitCode).toBe(0);
    expect(during).toEqual(['receipts: concurrent_run', 'private_dir: concurrent_run', 'local_state: concurrent_run']);
  });

  it('is refused while another run holds the platform’s lock, and when the render is stale', async () => {
    const fx = await bootstrapped();
    const release = acquireRunLock(stateArea(fx.root, PLATFORM));
    try {
      const held = await destroy(fx);
      expect(held.result.exitCode).toBe(3);
      expect(held.result.error?.code).toBe('concurrent_run');
    } finally {
      release();
    }
    fx.ws.write('adapters/zeta/scripts/record.sh', '#!/usr/bin/env bash\necho changed\n');
    const stale = await destroy(fx);
    expect(stale.result.exitCode).toBe(3);
    expect(stale.result.error?.message).toMatch(/^cannot destroy demo: run render first \("ztc render demo"\)/);
    expect(fx.order()).toEqual([]);
  });

  it('masks a teardown step’s secret in every event and its log, refuses when it is missing, and stops a step at its deadline (exit 124)', async () => {
    const SECRET = 'hcloud-9f3e1d7c2b5a4e8f';
    const leaky: FixtureAdapter[] = [
      { name: 'alpha', cni: 'requires', teardown: [{ name: 'forget-key', script: 'leaky', secrets: ['HCLOUD_TOKEN'], context: { secret_var: 'HCLOUD_TOKEN' } }] },
      { name: 'zeta', cni: 'provides', teardown: [{ name: 'stuck', script: 'hang', timeout: 1 }] },
    ];
    const fx = await bootstrapped(leaky);
    const missing = await destroy(fx);
    expect(missing.result.exitCode).toBe(3);
    expect(missing.result.error?.message).toContain('HCLOUD_TOKEN for step alpha/forget-key (teardown)');
    expect(fx.order()).toEqual([]);

    const { result, events } = await destroy(fx, { env: { ...minimalEnv(), ZTC_PRIVATE_DIR: fx.privateDir, HCLOUD_TOKEN: SECRET }, killGraceMs: 300 });
    expect(result).toMatchObject({ exitCode: 124, outcome: 'timed_out' });
    expect(result.error?.message).toContain('step zeta/stuck (teardown) exceeded its timeout of 1 s');
    expect(JSON.stringify(events)).not.toContain(SECRET.slice(0, 12));
    expect(JSON.stringify(events)).toContain('the secret is ***');
    expect(readFileSync(fx.ws.path(`platforms/${PLATFORM}/.ztc/logs/teardown/alpha.forget-key.log`), 'utf8')).not.toContain(SECRET.slice(0, 12));
  });

  it('without any teardown step tears nothing down and keeps the receipts', async () => {
    const fx = await bootstrapped(ADAPTERS.map(({ teardown: _t, ...a }) => a));
    const { result, events } = await destroy(fx);
    expect(result).toMatchObject({ exitCode: 0, ran: 0 });
    expect(events).toContainEqual({ event: 'notice', message: 'no adapter of demo declares teardown steps' });
    expect(receipts(fx)).toBe(2);
  });
});

describe('ztc backup', () => {
  it('runs every adapter’s backup script in adapter order and says what it wrote and where', async () => {
    const fx = await bootstrapped();
    const r = await cli(fx, ['backup', PLATFORM]);
    expect(r.code).toBe(0);
    expect(fx.order()).toEqual(['zeta/snap', 'alpha/dump']);
    expect(readFileSync(fx.state('stage.zeta.snap'), 'utf8')).toBe('backup\n');
    expect(readFileSync(join(fx.privateDir, 'backups', 'zeta.snap.snap'), 'utf8')).toBe('etcd snapshot\n');
    expect(r.stdout).toContain(`backup: written to the private dir ${fx.privateDir}: backups/alpha.dump.snap, backups/zeta.snap.snap`);
    expect(r.stdout).toContain(`backup: it is on this machine only: copy ${fx.privateDir} somewhere safe`);
    expect(receipts(fx)).toBe(2);
  });

  it('a platform without backup scripts: says so, exit 0', async () => {
    const fx = await bootstrapped(ADAPTERS.map(({ backup: _b, ...a }) => a));
    const { result, events } = await (async () => {
      const events: BootstrapEvent[] = [];
      const result = await runBackup({
        workspaceRoot: fx.root,
        platform: PLATFORM,
        env: { ...minimalEnv(), ZTC_PRIVATE_DIR: fx.privateDir },
        tmpRoot: fx.tmpRoot,
        onEvent: (e) => events.push(e),
      });
      return { result, events };
    })();
    expect(result.exitCode).toBe(0);
    expect(events).toContainEqual({ event: 'notice', message: 'no adapter of demo declares a backup script' });
  });
});

describe('destroy and backup with the s3 state backend', () => {
  const BUCKET = 'ztc-state';
  const PREFIX = `platforms/${PLATFORM}`;
  /** An age identity made for these tests (age-keygen), and its recipient (as in s3-backend.spec.ts). */
  const AGE_KEY = 'AGE-SECRET-KEY-1LWYDZYS0JH5D5TF9D5GSJPZ437C4Y8QZDJYGX5GPH5EH99EUE39SGM6HVV';
  const AGE_RECIPIENT = 'age1gg4lfr7j50xa599vlhu8yrd85zxj8y02slgzvhtnv55ku2e3dcrqk08ejr';

  async function s3Checkout() {
    const world = new World({ servers: [], buckets: [BUCKET] });
    const server = await startServer(world);
    onTestFinished(() => server.close());
    const fx = fixtureWorkspace(ADAPTERS);
    fx.ws.write(
      `platforms/${PLATFORM}/platform.yaml`,
      stringify({
        version: '1.0',
        adapters: { alpha: {}, zeta: {} },
        state: { backend: 's3', bucket: BUCKET, region: 'fsn1', private_dir: { encrypt_to: [AGE_RECIPIENT] } },
      }),
    );
    fx.render();
    mkdirSync(join(fx.privateDir, 'talos'), { recursive: true, mode: 0o700 });
    writeFileSync(join(fx.privateDir, 'talos', 'talosconfig'), 'context: demo\n', { mode: 0o600 });
    const env = {
      ...minimalEnv(),
      ZTC_PRIVATE_DIR: fx.privateDir,
      AWS_ENDPOINT_URL_S3: `${server.url}/s3`,
      ZTC_STATE_S3_ACCESS_KEY: world.s3.accessKey,
      ZTC_STATE_S3_SECRET_KEY: world.s3.secretKey,
      ZTC_STATE_AGE_KEY: AGE_KEY,
    };
    expect((await fx.run({ env })).result.exitCode).toBe(0);
    const objects = () => [...world.s3.buckets.get(BUCKET)!.keys()].filter((k) => k.startsWith(`${PREFIX}/`)).sort();
    return { fx, env, world, objects, object: (rel: string) => world.s3.buckets.get(BUCKET)!.get(`${PREFIX}/${rel}`) };
  }

  it('backup pushes the private dir with the snapshot to the backend, encrypted, and says so', async () => {
    const { fx, env, object } = await s3Checkout();
    const r = await runCli(['backup', PLATFORM], fx.root, { ...env, TMPDIR: fx.tmpRoot });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`backup: the private dir is stored encrypted in the state backend at s3://${BUCKET}/${PREFIX}/private-dir.tar.age`);
    const stored = object('private-dir.tar.age')!;
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(stored.toString('latin1')).not.toContain('etcd snapshot');
    const files = untar(await decryptWith([AGE_KEY], 'test', stored, 'private-dir.tar.age'));
    expect(files.map((f) => f.name)).toContain('backups/zeta.snap.snap');
    expect(Buffer.from(files.find((f) => f.name === 'backups/zeta.snap.snap')!.data).toString()).toBe('etcd snapshot\n');
  });

  it('backup without an identity to read the backend’s copy: not stored there, and it says so', async () => {
    const { fx, env } = await s3Checkout();
    const { ZTC_STATE_AGE_KEY: _key, ...noIdentity } = env;
    const r = await runCli(['backup', PLATFORM], fx.root, { ...noIdentity, ZTC_STATE_AGE_KEY: '', TMPDIR: fx.tmpRoot });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`backup: not stored in the state backend s3://${BUCKET}/${PREFIX}/private-dir.tar.age (see above why): copy ${fx.privateDir} somewhere safe`);
  });

  it('destroy clears the backend’s receipts and keeps the rest; --purge-private deletes every object of the platform', async () => {
    const { fx, env, objects } = await s3Checkout();
    expect(objects().filter((k) => k.includes('/receipts/'))).toHaveLength(2);
    const kept = await runCli(['destroy', PLATFORM, '--confirm', PLATFORM], fx.root, { ...env, TMPDIR: fx.tmpRoot });
    expect(kept.code, kept.stderr).toBe(0);
    expect(objects().filter((k) => k.includes('/receipts/'))).toEqual([]);
    expect(objects()).toContain(`${PREFIX}/private-dir.tar.age`);
    expect(objects()).toContain(`${PREFIX}/state/order.txt`);
    expect(kept.stdout).toContain(`state backend: kept s3://${BUCKET}/${PREFIX}/ (receipts cleared)`);

    const purged = await runCli(['destroy', PLATFORM, '--confirm', PLATFORM, '--purge-private', '--dry-run'], fx.root, { ...env, TMPDIR: fx.tmpRoot });
    expect(purged.stdout).toContain(
      `state backend: every object of the platform under s3://${BUCKET}/${PREFIX}/ (state, receipts, the encrypted private dir) is deleted after every step succeeded`,
    );
    expect(objects()).toContain(`${PREFIX}/private-dir.tar.age`);
    const gone = await runCli(['destroy', PLATFORM, '--confirm', PLATFORM, '--purge-private'], fx.root, { ...env, TMPDIR: fx.tmpRoot });
    expect(gone.code, gone.stderr).toBe(0);
    expect(objects()).toEqual([]);
    expect(existsSync(fx.privateDir)).toBe(false);
    expect(gone.stdout).toContain(`state backend: deleted every object of the platform under s3://${BUCKET}/${PREFIX}/`);
  });

  it('--purge-private deletes only the platform’s own objects: another platform’s state under a longer prefix and files ZTC did not write stay, named', async () => {
    const { fx, env, world, objects } = await s3Checkout();
    const bucket = world.s3.buckets.get(BUCKET)!;
    // Another platform whose state.prefix is below this one's, and a file of the operator's.
    const foreign = [`${PREFIX}/eu/run.lock`, `${PREFIX}/eu/private-dir.tar.age`, `${PREFIX}/eu/receipts/bootstrap/x.json`, `${PREFIX}/notes.txt`];
    for (const k of foreign) bucket.set(k, Buffer.from('not demo\n'));
    const gone = await runCli(['destroy', PLATFORM, '--confirm', PLATFORM, '--purge-private'], fx.root, { ...env, TMPDIR: fx.tmpRoot });
    expect(gone.code, gone.stderr).toBe(0);
    expect(objects()).toEqual([...foreign].sort());
    expect(gone.stdout).toContain(
      `kept 4 object(s) under s3://${BUCKET}/${PREFIX}/ that are not this platform's state (another platform's state.prefix below it, or files ZTC did not write): eu/private-dir.tar.age, eu/receipts/bootstrap/x.json, eu/run.lock, notes.txt`,
    );
  });
});
