/**
 * Configuration of the remote cache server, from flags and environment variables (flags win). Tokens
 * come from the environment only, so they never show up in `ps` output or shell history.
 */
import { parseArgs } from 'node:util';

export interface ServerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Folder holding one file per cache entry. */
  dir: string;
  /** Largest accepted upload in bytes; bigger PUTs get 413. */
  maxBodyBytes: number;
  /** Tokens that may read and write. */
  readWriteTokens: string[];
  /** Tokens that may only read (PUT answers 403, which Nx accepts silently): for untrusted builds. */
  readOnlyTokens: string[];
}

export class ConfigUsageError extends Error {}

export const USAGE = `Usage: ztc-cache-server [--host 127.0.0.1] [--port 3030] [--dir .nx-remote-cache] [--max-size 512m]

Nx self-hosted remote cache (GET/PUT /v1/cache/<hash>, GET /health).
Environment:
  ZTC_CACHE_TOKENS       read-write bearer tokens, comma-separated (required)
  ZTC_CACHE_READ_TOKENS  read-only bearer tokens, comma-separated (PUT answers 403)
  ZTC_CACHE_HOST, ZTC_CACHE_PORT, ZTC_CACHE_DIR, ZTC_CACHE_MAX_SIZE  defaults for the flags`;

/** `512m` → bytes. Accepts a plain byte count or k/m/g suffixes (powers of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new ConfigUsageError(`invalid size "${text}" (expected e.g. 104857600, 100m or 2g)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

const tokens = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        dir: { type: 'string' },
        'max-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new ConfigUsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new ConfigUsageError(USAGE);
  const port = Number(values.port ?? env.ZTC_CACHE_PORT ?? 3030);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigUsageError(`invalid port "${values.port ?? env.ZTC_CACHE_PORT}"`);
  const config: ServerConfig = {
    host: values.host ?? env.ZTC_CACHE_HOST ?? '127.0.0.1',
    port,
    dir: values.dir ?? env.ZTC_CACHE_DIR ?? '.nx-remote-cache',
    maxBodyBytes: parseSize(values['max-size'] ?? env.ZTC_CACHE_MAX_SIZE ?? '512m'),
    readWriteTokens: tokens(env.ZTC_CACHE_TOKENS),
    readOnlyTokens: tokens(env.ZTC_CACHE_READ_TOKENS),
  };
  if (config.readWriteTokens.length === 0) {
    throw new ConfigUsageError('no read-write token: set ZTC_CACHE_TOKENS (an anonymous cache would let anyone poison build outputs)');
  }
  return config;
}
