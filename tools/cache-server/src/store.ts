/**
 * Cache entries on disk: one file per hash. Uploads stream into a temp file in the same folder and are
 * renamed into place only when complete (after fsync), so a reader never sees a partial entry and a
 * crash leaves only a temp file, which the next start removes.
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';

export const HASH_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const TMP_DIR = '.tmp';

export type PutResult = 'stored' | 'exists' | 'too-large';

export class TooLarge extends Error {}

export class BlobStore {
  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Create the folders and drop temp files a crash left behind. */
  async init(): Promise<void> {
    await mkdir(join(this.dir, TMP_DIR), { recursive: true });
    for (const f of await readdir(join(this.dir, TMP_DIR))) await rm(join(this.dir, TMP_DIR, f), { force: true });
  }

  private path(hash: string): string {
    if (!HASH_PATTERN.test(hash)) throw new Error(`invalid hash ${JSON.stringify(hash)}`);
    return join(this.dir, hash);
  }

  /** The entry as a stream plus its size, or undefined. */
  async get(hash: string): Promise<{ size: number; stream: ReadStream } | undefined> {
    const file = this.path(hash);
    try {
      const { size } = await stat(file);
      return { size, stream: createReadStream(file) };
    } catch {
      return undefined;
    }
  }

  async has(hash: string): Promise<boolean> {
    return stat(this.path(hash)).then(
      () => true,
      () => false,
    );
  }

  /** Store `body` under `hash`, refusing more than maxBytes. An existing entry is never replaced. */
  async put(hash: string, body: Readable): Promise<PutResult> {
    const target = this.path(hash);
    if (await this.has(hash)) return 'exists';
    const tmp = join(this.dir, TMP_DIR, `${hash}.${randomBytes(6).toString('hex')}`);
    let seen = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        done(seen > limit ? new TooLarge() : null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tmp, { mode: 0o600 }));
      const fd = await open(tmp, 'r');
      await fd.sync();
      await fd.close();
      if (await this.has(hash)) return 'exists';
      await rename(tmp, target);
      return 'stored';
    } catch (e) {
      if (e instanceof TooLarge) return 'too-large';
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
