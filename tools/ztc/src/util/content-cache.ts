/**
 * Content-addressed caches of derived text (`<cache>/ztc-<name>/<sha256>`, beside the transpile and
 * validator caches; safe to delete). A value is stored under the sha256 of its cache's version and the
 * exact input it was derived from, so an entry can only ever be read back for that input. Used where a
 * pure computation costs more in a fresh process than reading its result: parsing YAML before V8 has
 * compiled the parser's paths (~40 ms for a platform's files), serializing pipeline.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_ROOT } from '../constants';
import { sha256 } from './hash';
import { writeCacheFile } from './cache-file';

export class ContentCache {
  private readonly dir: string;

  /** `version` names everything besides the input that the value depends on (library versions, options). */
  constructor(
    name: string,
    private readonly version: string,
  ) {
    this.dir = join(CACHE_ROOT, `ztc-${name}`);
  }

  private file(input: string): string {
    return join(this.dir, sha256(`${this.version}\0${input}`));
  }

  get(input: string): string | undefined {
    try {
      return readFileSync(this.file(input), 'utf8');
    } catch {
      return undefined;
    }
  }

  set(input: string, value: string): void {
    writeCacheFile(this.file(input), value);
  }
}
