import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ServerConfig } from './config';
import { createCacheServer } from './server';

async function start(overrides: Partial<ServerConfig> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-cache-'));
  const log: string[] = [];
  const cache = createCacheServer({ host: '127.0.0.1', port: 0, dir, maxBodyBytes: 1024, readWriteTokens: ['rw-secret'], readOnlyTokens: ['ro-secret'], ...overrides }, (l) =>
    log.push(l),
  );
  const url = await cache.listen();
  onTestFinished(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = (method: string, path: string, token?: string, body?: Uint8Array) =>
    fetch(`${url}${path}`, { method, body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { url, dir, log, call };
}

describe('remote cache server', () => {
  it('stores an entry with a read-write token and serves it back byte for byte', async () => {
    const { call } = await start();
    const blob = new Uint8Array([0x1f, 0x8b, 1, 2, 3, 255]);
    expect((await call('GET', '/v1/cache/123', 'rw-secret')).status).toBe(404);
    expect((await call('PUT', '/v1/cache/123', 'rw-secret', blob)).status).toBe(200);
    const got = await call('GET', '/v1/cache/123', 'ro-secret');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(blob);
  });

  it('never replaces an entry: a second PUT answers 409, which Nx accepts', async () => {
    const { call, dir } = await start();
    await call('PUT', '/v1/cache/7', 'rw-secret', new Uint8Array([1]));
    expect((await call('PUT', '/v1/cache/7', 'rw-secret', new Uint8Array([2]))).status).toBe(409);
    expect([...readFileSync(join(dir, '7'))]).toEqual([1]);
  });

  it('answers 401 without a valid token and 403 to a PUT with a read-only token', async () => {
    const { call, dir, log } = await start();
    expect((await call('GET', '/v1/cache/1')).status).toBe(401);
    expect((await call('GET', '/v1/cache/1', 'wrong')).status).toBe(401);
    expect((await call('PUT', '/v1/cache/1', 'wrong', new Uint8Array([1]))).status).toBe(401);
    expect((await call('PUT', '/v1/cache/1', 'ro-secret', new Uint8Array([1]))).status).toBe(403);
    expect(readdirSync(dir)).toEqual(['.tmp']);
    expect(log.join('\n')).not.toMatch(/secret/);
  });

  it('refuses entries over the size limit with 413 and keeps nothing of them', async () => {
    const { call, dir } = await start({ maxBodyBytes: 8 });
    expect((await call('PUT', '/v1/cache/big', 'rw-secret', new Uint8Array(9))).status).toBe(413);
    expect((await call('PUT', '/v1/cache/ok', 'rw-secret', new Uint8Array(8))).status).toBe(200);
    expect(readdirSync(dir).sort()).toEqual(['.tmp', 'ok']);
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]);
  });

  it('counts streamed bytes too, when the client sends no content-length', async () => {
    const { url, dir } = await start({ maxBodyBytes: 8 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/v1/cache/chunked`, { method: 'PUT', headers: { authorization: 'Bearer rw-secret' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(6));
      req.end(Buffer.alloc(6));
    });
    expect(status).toBe(413);
    expect(readdirSync(dir)).toEqual(['.tmp']);
  });

  it('rejects malformed keys and unknown paths, and has an unauthenticated health check', async () => {
    const { call } = await start();
    expect((await call('GET', '/v1/cache/..%2Fetc', 'rw-secret')).status).toBe(400);
    expect((await call('GET', '/v1/cache/', 'rw-secret')).status).toBe(400);
    expect((await call('GET', '/v2/whatever', 'rw-secret')).status).toBe(404);
    expect((await call('DELETE', '/v1/cache/1', 'rw-secret')).status).toBe(405);
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('removes temp files a crash left behind when it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztc-cache-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const first = await start({ dir });
    await first.call('PUT', '/v1/cache/1', 'rw-secret', new Uint8Array([1]));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, '.tmp', '2.half'), 'partial');
    await start({ dir });
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['.tmp', '1']);
  });
});
