/** The S3 operations of the state backend against the simulated S3: what S3 answers to conditional writes and listings. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../../sim/src/server';
import { World } from '../../../sim/src/world/world';
import { s3Credentials, type S3StateConfig } from './config';
import { plainEtag, S3Store } from './s3-store';

async function store(opts: { bucket?: string; secretKey?: string } = {}): Promise<{ store: S3Store; world: World }> {
  const world = new World({ servers: [], buckets: ['state-bucket'] });
  const server = await startServer(world);
  onTestFinished(() => server.close());
  const config: S3StateConfig = {
    backend: 's3',
    bucket: opts.bucket ?? 'state-bucket',
    prefix: 'p',
    endpoint: `${server.url}/s3`,
    region: 'fsn1',
    file: 'platforms/x/platform.yaml',
  };
  const env = { ZTC_STATE_S3_ACCESS_KEY: world.s3.accessKey, ZTC_STATE_S3_SECRET_KEY: opts.secretKey ?? world.s3.secretKey };
  return { store: new S3Store(config, s3Credentials(env, config), { attempts: 1 }), world };
}

describe('S3Store against the simulated S3', () => {
  it('creates only when absent (If-None-Match: *) and overwrites or deletes only the object it saw (If-Match)', async () => {
    const { store: s3 } = await store();
    const first = await s3.put('p/k', Buffer.from('one'), { ifNoneMatch: true });
    expect(first).toEqual({ ok: true, etag: plainEtag(Buffer.from('one')) });
    expect(await s3.put('p/k', Buffer.from('two'), { ifNoneMatch: true })).toEqual({ ok: false, status: 412 });
    expect(await s3.put('p/k', Buffer.from('two'), { ifMatch: '"0123456789abcdef0123456789abcdef"' })).toEqual({ ok: false, status: 412 });
    expect(await s3.delete('p/k', { ifMatch: '"0123456789abcdef0123456789abcdef"' })).toBe(false);
    expect((await s3.get('p/k'))?.body.toString()).toBe('one');
    const second = await s3.put('p/k', Buffer.from('two'), { ifMatch: (first as { etag: string }).etag });
    expect(second.ok).toBe(true);
    expect(await s3.get('p/k')).toEqual({ body: Buffer.from('two'), etag: plainEtag(Buffer.from('two')) });
    expect(await s3.delete('p/k', { ifMatch: (second as { etag: string }).etag })).toBe(true);
    expect(await s3.get('p/k')).toBeUndefined();
  });

  it('lists every key under a prefix, across pages (ListObjectsV2 continuation)', async () => {
    const { store: s3, world } = await store();
    const bucket = world.s3.buckets.get('state-bucket')!;
    for (let i = 0; i < 1003; i++) bucket.set(`p/state/f${String(i).padStart(4, '0')} x.txt`, Buffer.from(String(i)));
    bucket.set('q/other', Buffer.from('not listed'));
    const listed = await s3.list('p/');
    expect(listed).toHaveLength(1003);
    expect(listed[1002]).toEqual({ key: 'p/state/f1002 x.txt', etag: plainEtag(Buffer.from('1002')), size: 4 });
  });

  it('turns a refusal into an error that names the bucket and the fix (exit 3)', async () => {
    const missing = await store({ bucket: 'no-such-bucket' });
    await expect(missing.store.get('p/k')).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/refused GET p\/k \(404 NoSuchBucket\): create the bucket \(private\) or fix state\.bucket/),
    });
    const wrongKey = await store({ secretKey: 'not-the-secret' });
    await expect(wrongKey.store.put('p/k', Buffer.from('x'))).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/refused PUT p\/k \(403 SignatureDoesNotMatch\): ZTC_STATE_S3_ACCESS_KEY\/ZTC_STATE_S3_SECRET_KEY may not read and write it/),
    });
  });
});

describe('S3Store against object storage that keeps failing', () => {
  it('says the storage failed and to run again, not to fix the endpoint, after a 5xx on every attempt (exit 3)', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const config: S3StateConfig = {
      backend: 's3',
      bucket: 'state-bucket',
      prefix: 'p',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'fsn1',
      file: 'platforms/x/platform.yaml',
    };
    const s3 = new S3Store(config, s3Credentials({ ZTC_STATE_S3_ACCESS_KEY: 'a', ZTC_STATE_S3_SECRET_KEY: 's' }, config), { attempts: 1 });
    const err = await s3.put('p/k', Buffer.from('x')).catch((e: Error) => e);
    expect(err).toMatchObject({ exitCode: 3, message: expect.stringContaining('refused PUT p/k (503 SlowDown): the object storage failed (1 attempt); run again later') });
    expect((err as Error).message).not.toContain('check state.endpoint');
  });
});
