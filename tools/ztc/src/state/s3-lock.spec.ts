/** The run lock's refusals that a user reads: an endpoint that ignores conditional writes, a lock object ztc did not write. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../../sim/src/server';
import { World } from '../../../sim/src/world/world';
import { s3Credentials, type S3StateConfig } from './config';
import { RemoteRunLock } from './s3-lock';
import { plainEtag, S3Store, type PutResult, type WriteCondition } from './s3-store';

const who = { platform: 'prod', command: 'ztc bootstrap prod', owner: 'ops@laptop-7', pid: 4242 };

async function simStore(): Promise<{ store: S3Store; world: World }> {
  const world = new World({ servers: [], buckets: ['state-bucket'] });
  const server = await startServer(world);
  onTestFinished(() => server.close());
  const config: S3StateConfig = { backend: 's3', bucket: 'state-bucket', prefix: 'p', endpoint: `${server.url}/s3`, region: 'fsn1', file: 'platforms/prod/platform.yaml' };
  const env = { ZTC_STATE_S3_ACCESS_KEY: world.s3.accessKey, ZTC_STATE_S3_SECRET_KEY: world.s3.secretKey };
  return { store: new S3Store(config, s3Credentials(env, config), { attempts: 1 }), world };
}

/** Object storage that accepts every write, conditions or not (what the lock must not trust). */
class IgnoresConditions {
  readonly where = 's3://state-bucket at https://storage.example';
  readonly objects = new Map<string, Buffer>();
  objectName(key: string): string {
    return `s3://state-bucket/${key}`;
  }
  async put(key: string, body: Buffer, _cond: WriteCondition = {}): Promise<PutResult> {
    this.objects.set(key, body);
    return { ok: true, etag: plainEtag(body) };
  }
  async get(key: string) {
    const body = this.objects.get(key);
    return body && { body, etag: plainEtag(body) };
  }
  async delete(key: string): Promise<boolean> {
    this.objects.delete(key);
    return true;
  }
}

describe('the s3 run lock', () => {
  it('is refused (exit 3) by an endpoint that ignores If-None-Match, and leaves no lock behind', async () => {
    const s3 = new IgnoresConditions();
    await expect(RemoteRunLock.acquire(s3 as unknown as S3Store, 'p/run.lock', who, { renewMs: 0 })).rejects.toMatchObject({
      exitCode: 3,
      code: 'state_backend_refused',
      message: expect.stringContaining('ignores conditional writes (a second PUT with If-None-Match: * succeeded)'),
    });
    expect(s3.objects.has('p/run.lock')).toBe(false);
  });

  it('is not left behind when the check of the endpoint fails (the next run is not refused by this one)', async () => {
    class FailsSecondWrite extends IgnoresConditions {
      private writes = 0;
      override async put(key: string, body: Buffer, cond: WriteCondition = {}): Promise<PutResult> {
        if (++this.writes === 2) throw Object.assign(new Error('the state backend did not answer PUT p/run.lock (ECONNRESET, 1 attempts)'), { exitCode: 3 });
        return super.put(key, body, cond);
      }
    }
    const s3 = new FailsSecondWrite();
    await expect(RemoteRunLock.acquire(s3 as unknown as S3Store, 'p/run.lock', who, { renewMs: 0 })).rejects.toThrow(/ECONNRESET/);
    expect(s3.objects.has('p/run.lock')).toBe(false);
  });

  it('that ztc did not write is not taken over: exit 3 naming the object and how to remove it', async () => {
    const { store, world } = await simStore();
    world.s3.buckets.get('state-bucket')!.set('p/run.lock', Buffer.from('held by a shell script\n'));
    await expect(RemoteRunLock.acquire(store, 'p/run.lock', who, { renewMs: 0 })).rejects.toMatchObject({
      exitCode: 3,
      code: 'concurrent_run',
      message: expect.stringMatching(
        /the run lock of prod \(s3:\/\/state-bucket\/p\/run\.lock\) exists but is not a lock ztc wrote.*remove the object by hand \(docs\/operations\.md/,
      ),
    });
    expect(world.s3.buckets.get('state-bucket')!.get('p/run.lock')?.toString()).toBe('held by a shell script\n');
  });

  it('is released by its holder and then taken by the next run', async () => {
    const { store, world } = await simStore();
    const first = await RemoteRunLock.acquire(store, 'p/run.lock', who, { renewMs: 0 });
    await expect(RemoteRunLock.acquire(store, 'p/run.lock', { ...who, owner: 'ci@runner-2' }, { renewMs: 0 })).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining('another bootstrap of prod is running: ops@laptop-7 (pid 4242) since '),
    });
    await first.release();
    expect(world.s3.buckets.get('state-bucket')!.has('p/run.lock')).toBe(false);
    const second = await RemoteRunLock.acquire(store, 'p/run.lock', { ...who, owner: 'ci@runner-2' }, { renewMs: 0 });
    expect(second.holder.owner).toBe('ci@runner-2');
    await second.release();
  });

  it('replaced by someone else is left alone at release, and the notice names the object', async () => {
    const { store, world } = await simStore();
    const notices: string[] = [];
    const lock = await RemoteRunLock.acquire(store, 'p/run.lock', who, { renewMs: 0, notice: (m) => notices.push(m) });
    world.s3.buckets.get('state-bucket')!.set('p/run.lock', Buffer.from('replaced by hand\n'));
    await lock.release();
    expect(world.s3.buckets.get('state-bucket')!.get('p/run.lock')?.toString()).toBe('replaced by hand\n');
    expect(notices).toEqual(["the run lock s3://state-bucket/p/run.lock was no longer this run's when it ended; left as it is"]);
  });
});
