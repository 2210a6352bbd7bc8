import { describe, expect, it } from 'vitest';
import { ConfigUsageError, loadConfig, parseSize } from './config';

describe('loadConfig', () => {
  it('reads flags over environment, tokens from the environment only', () => {
    const c = loadConfig(['--port', '4000', '--max-size', '2g'], { ZTC_CACHE_TOKENS: 'a, b', ZTC_CACHE_READ_TOKENS: 'r', ZTC_CACHE_PORT: '9', ZTC_CACHE_DIR: '/srv/cache' });
    expect(c).toEqual({ host: '127.0.0.1', port: 4000, dir: '/srv/cache', maxBodyBytes: 2 * 1024 ** 3, readWriteTokens: ['a', 'b'], readOnlyTokens: ['r'] });
  });

  it('refuses to start without a read-write token, and on unknown flags', () => {
    expect(() => loadConfig([], {})).toThrow(/no read-write token: set ZTC_CACHE_TOKENS/);
    expect(() => loadConfig(['--token', 'x'], { ZTC_CACHE_TOKENS: 'a' })).toThrow(ConfigUsageError);
    expect(() => loadConfig(['--port', 'http'], { ZTC_CACHE_TOKENS: 'a' })).toThrow(/invalid port/);
  });

  it('parses sizes', () => {
    expect(parseSize('100')).toBe(100);
    expect(parseSize('100m')).toBe(100 * 1024 * 1024);
    expect(parseSize('1KB')).toBe(1024);
    expect(() => parseSize('lots')).toThrow(/invalid size/);
  });
});
