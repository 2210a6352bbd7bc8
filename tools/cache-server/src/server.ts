/**
 * A self-hosted remote cache for Nx, speaking its HTTP protocol (what `NX_SELF_HOSTED_REMOTE_CACHE_SERVER`
 * points at): `GET /v1/cache/<hash>` (200 + tar.gz body, or 404), `PUT /v1/cache/<hash>` (200 stored,
 * 409 exists, 403 read-only token, 413 too large), bearer tokens (401 without a valid one), and an
 * unauthenticated `GET /health` for probes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenAuth } from './auth';
import type { ServerConfig } from './config';
import { BlobStore, HASH_PATTERN } from './store';

export interface CacheServer {
  server: Server;
  store: BlobStore;
  /** Start listening; resolves with the base URL (no trailing slash: Nx would request `//v1/...`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export type Log = (line: string) => void;

function send(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function createCacheServer(config: ServerConfig, log: Log = () => {}): CacheServer {
  const store = new BlobStore(config.dir, config.maxBodyBytes);
  const auth = new TokenAuth(config.readWriteTokens, config.readOnlyTokens);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const path = new URL(req.url ?? '/', 'http://cache').pathname;
    const method = req.method ?? 'GET';
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') return reject(res, req, 405, 'method not allowed', { allow: 'GET, HEAD' });
      send(res, 200, '{"status":"ok"}\n', { 'content-type': 'application/json' });
      return 'health';
    }
    const m = /^\/v1\/cache\/([^/]*)$/.exec(path);
    if (!m) return reject(res, req, 404, 'not found');
    if (!HASH_PATTERN.test(m[1]!)) return reject(res, req, 400, 'invalid cache key');
    const hash = m[1]!;
    const access = auth.access(req.headers.authorization);
    if (access === 'none') return reject(res, req, 401, 'unauthorized', { 'www-authenticate': 'Bearer realm="nx-cache"' });
    if (method === 'GET' || method === 'HEAD') {
      const entry = await store.get(hash);
      if (!entry) return reject(res, req, 404, 'not found');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.size });
      if (method === 'HEAD') {
        entry.stream.destroy();
        res.end();
      } else entry.stream.pipe(res);
      return `${access} hit ${entry.size}B`;
    }
    if (method === 'PUT') {
      if (access !== 'read-write') return reject(res, req, 403, 'read-only token');
      const length = Number(req.headers['content-length'] ?? Number.NaN);
      if (length > config.maxBodyBytes) return reject(res, req, 413, `entry larger than ${config.maxBodyBytes} bytes`, { connection: 'close' });
      const result = await store.put(hash, req);
      if (result === 'exists') return reject(res, req, 409, 'exists');
      if (result === 'too-large') return reject(res, req, 413, `entry larger than ${config.maxBodyBytes} bytes`, { connection: 'close' });
      send(res, 200, 'stored\n');
      return 'stored';
    }
    return reject(res, req, 405, 'method not allowed', { allow: 'GET, HEAD, PUT' });
  }

  /** Answer with an error and discard whatever body the client is still sending. */
  function reject(res: ServerResponse, req: IncomingMessage, status: number, message: string, headers: Record<string, string> = {}): string {
    if (!res.headersSent) send(res, status, `${message}\n`, headers);
    req.resume();
    return message;
  }

  let inFlight = 0;
  const server = createServer((req, res) => {
    const start = Date.now();
    inFlight++;
    res.once('close', () => inFlight--);
    void handle(req, res)
      .catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, 'internal error\n');
        else res.destroy();
        return `error: ${(e as Error).message}`;
      })
      .then((note) => {
        log(`${req.method} ${new URL(req.url ?? '/', 'http://cache').pathname} ${res.statusCode} ${Date.now() - start}ms ${note}`);
      });
  });
  server.requestTimeout = 10 * 60_000;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    store,
    async listen() {
      await store.init();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    /** Stop accepting, let requests in flight finish (up to 10 s), then drop kept-alive connections. */
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        const deadline = Date.now() + 10_000;
        const sweep = setInterval(() => {
          server.closeIdleConnections();
          if (inFlight === 0 || Date.now() > deadline) {
            clearInterval(sweep);
            server.closeAllConnections();
          }
        }, 20);
      }),
  };
}
