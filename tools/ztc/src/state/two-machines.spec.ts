/**
 * Two real `ztc bootstrap` processes of one platform, from two checkouts that share the s3 state backend
 * (the simulated S3 on loopback), as two operators or two CI jobs would start them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { startServer } from '../../../sim/src/server';
import { World } from '../../../sim/src/world/world';
import { minimalEnv, runBin, ZTC_BIN } from '../../testing/run-bin';
import { fixtureWorkspace, PLATFORM, type FixtureWorkspace } from '../bootstrap/__fixtures__/fixture-workspace';
import { parseLock } from './s3-lock';

const BUCKET = 'ztc-state';

function checkout(): FixtureWorkspace {
  const fx = fixtureWorkspace([{ name: 'alpha', stages: { bootstrap: [{ name: 'wait', script: 'hang', context: { seconds: 60 } }] } }]);
  fx.ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: { alpha: {} }, state: { backend: 's3', bucket: BUCKET, region: 'fsn1' } }));
  fx.render();
  return fx;
}

/** Resolves when `check` holds, polling every 50 ms (at most `ms`). */
async function until(check: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two machines, one platform, s3 state backend', () => {
  it('refuses the second bootstrap while the first runs (exit 3, naming the holder); the first releases the lock when stopped', async () => {
    const world = new World({ servers: [], buckets: [BUCKET] });
    const server = await startServer(world);
    onTestFinished(() => server.close());
    const env = { AWS_ENDPOINT_URL_S3: `${server.url}/s3`, ZTC_STATE_S3_ACCESS_KEY: world.s3.accessKey, ZTC_STATE_S3_SECRET_KEY: world.s3.secretKey };
    const objects = world.s3.buckets.get(BUCKET)!;
    const lockKey = `platforms/${PLATFORM}/run.lock`;

    const first = checkout();
    const child: ChildProcess = spawn(process.execPath, [ZTC_BIN, 'bootstrap', PLATFORM], {
      cwd: first.root,
      env: minimalEnv({ ...env, ZTC_PRIVATE_DIR: first.privateDir, TMPDIR: first.tmpRoot }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(() => out.includes('[alpha/wait] waiting'), 20_000);
    const holder = parseLock(objects.get(lockKey)!)!;
    expect(holder.pid).toBe(child.pid);

    const second = checkout();
    const refused = await runBin(['bootstrap', PLATFORM], second.root, { ...env, ZTC_PRIVATE_DIR: second.privateDir, TMPDIR: second.tmpRoot });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`another bootstrap of ${PLATFORM} is running: ${holder.owner} (pid ${child.pid}) since ${holder.acquired_at}, lock expires`);
    expect(refused.stdout).not.toContain('start:');

    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(objects.has(lockKey)).toBe(false);
  });
});
