/**
 * The engine's caches of derived text, behind one interface the caller chooses (`EngineCache`): compiled
 * validators, data a schema accepted, parsed YAML, the serialized pipeline, YAML output that parsed,
 * transpiled render modules, remembered render results. Each value is stored under the sha256 of its
 * cache's version and the exact input it was derived from, so an entry can only ever be read back for
 * that input. Used where a pure computation costs more in a fresh process than reading its result:
 * parsing YAML before V8 has compiled the parser's paths (~40 ms for a platform's files), compiling
 * validators (~100 ms).
 *
 * `planRender` and `validatePlatform` use only the cache their caller passes (`options.cache`; none: they
 * read and write no cache). The CLI and the Nx layer pass `diskCache()`: `<cache>/ztc-<kind>/<key>`
 * (CACHE_ROOT, ZTC_CACHE_DIR moves it; safe to delete). Outside those two calls the process's cache is the
 * disk cache.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_ROOT } from '../constants';
import { sha256 } from './hash';
import { writeCacheFile } from './cache-file';

/** Where derived values are kept. `kind` names the cache (`ajv`, `yaml`, …), `key` is a sha256. */
export interface EngineCache {
  get(kind: string, key: string): string | undefined;
  /** Keep a value; a cache that cannot keep it (read-only, full) drops it: it only costs speed. */
  set(kind: string, key: string, value: string): void;
}

/** Files under `root` (default: the workspace's `node_modules/.cache`, or ZTC_CACHE_DIR). */
export function diskCache(root: string = CACHE_ROOT): EngineCache {
  return {
    get(kind, key) {
      try {
        return readFileSync(join(root, `ztc-${kind}`, key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(kind, key, value) {
      writeCacheFile(join(root, `ztc-${kind}`, key), value);
    },
  };
}

/** Keeps nothing: every value is derived again. */
export const NO_CACHE: EngineCache = { get: () => undefined, set: () => {} };

const processCache = diskCache();
let active: EngineCache = processCache;

/** The cache in effect now (inside `withCache`, the one given there). */
export function currentCache(): EngineCache {
  return active;
}

/** Run `fn` (synchronous) with `cache` in effect (NO_CACHE when undefined), then restore the one before. */
export function withCache<T>(cache: EngineCache | undefined, fn: () => T): T {
  const before = active;
  active = cache ?? NO_CACHE;
  try {
    return fn();
  } finally {
    active = before;
  }
}

export class ContentCache {
  /** `version` names everything besides the input that the value depends on (library versions, options). */
  constructor(
    private readonly name: string,
    private readonly version: string,
  ) {}

  /** The key of `input`: the sha256 of the version and the input. */
  key(input: string): string {
    return sha256(`${this.version}\0${input}`);
  }

  get(input: string): string | undefined {
    return active.get(this.name, this.key(input));
  }

  set(input: string, value: string): void {
    active.set(this.name, this.key(input), value);
  }
}
