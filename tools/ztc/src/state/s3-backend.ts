/**
 * The s3 state backend (see backend.ts). Objects under the platform's prefix:
 *
 *   <prefix>/run.lock                  the run lock (s3-lock.ts)
 *   <prefix>/receipts/<stage>/<a>.<s>.json  one per finished step, as in .ztc/receipts
 *   <prefix>/state/<path>              the files of ZTC_STATE_DIR (non-secret by contract; scanned after each step)
 *   <prefix>/private-dir.tar.age       the private dir, age-encrypted on this machine (only with state.private_dir)
 *   <prefix>/private-dir.recipients.json   the age recipients it is encrypted to (public keys)
 *
 * The checkout's `.ztc/receipts` and `.ztc/state` are a cache of the first two: a run pulls them after
 * taking the lock (the backend wins: files it lacks are removed from the cache) and pushes what changed
 * after every step, state before receipts, so a killed run loses at most its running step. A backend that
 * holds nothing yet is seeded from the cache (moving a platform from local to s3). Logs stay local.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import type { StateArea } from '../workspace/state-area';
import { noteLocalReceipts } from '../bootstrap/restored-receipts';
import { sha256 } from '../util/hash';
import { listFiles } from '../util/list-files';
import type { BeginOptions, StateBackend, StateBackendOptions, StateSession, StateView } from './backend';
import { s3Credentials, type S3StateConfig } from './config';
import { ageIdentities, decryptWith, encryptTo, isEmptyDir, tarDir, untar, writeFiles } from './private-archive';
import { RemoteRunLock } from './s3-lock';
import { md5Hex, S3Store } from './s3-store';

/** The two synchronised folders of the cache, as `<folder>/<path>` keys under the prefix. */
const SYNCED = ['state', 'receipts'] as const;
export const PRIVATE_OBJECT = 'private-dir.tar.age';
/** The recipients the private dir object is encrypted to (public keys; age does not name them in the file). */
export const PRIVATE_RECIPIENTS_OBJECT = 'private-dir.recipients.json';
export const LOCK_OBJECT = 'run.lock';

/** `"<md5>"` → md5, or undefined for an ETag that is not one (multipart, SSE-KMS): such objects are always downloaded. */
const md5OfEtag = (etag: string): string | undefined => /^"?([0-9a-f]{32})"?$/.exec(etag)?.[1];

/** Local files of the synchronised folders, as `state/x`, `receipts/<stage>/<file>` (temp files left out). */
function localFiles(area: StateArea): string[] {
  return SYNCED.flatMap((folder) =>
    listFiles(area.abs(`${area.root}/${folder}`), { skip: () => false })
      .filter((f) => !/\.tmp(-\d+)?$/.test(f))
      .map((f) => `${folder}/${f}`),
  );
}

export class S3StateBackend implements StateBackend {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly privateLocation: string | undefined;
  readonly store: S3Store;

  constructor(
    readonly config: S3StateConfig,
    env: NodeJS.ProcessEnv,
    readonly secrets: { names: string[]; values: string[] },
    private readonly opts: StateBackendOptions = {},
  ) {
    this.location = `s3://${config.bucket}/${config.prefix}`;
    this.privateLocation = config.encryptTo ? `${this.location}/${PRIVATE_OBJECT}` : undefined;
    this.store = new S3Store(config, s3Credentials(env, config), opts.store);
  }

  key(rel: string): string {
    return `${this.config.prefix}/${rel}`;
  }

  /** Objects of the synchronised folders (one listing of the prefix): `state/x` → etag. */
  async remoteFiles(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const o of await this.store.list(this.key(''))) {
      const rel = o.key.slice(this.config.prefix.length + 1);
      if (SYNCED.some((folder) => rel.startsWith(`${folder}/`))) out.set(rel, o.etag);
    }
    return out;
  }

  async view(area: StateArea): Promise<StateView> {
    const remote = await this.remoteFiles();
    // An empty backend is seeded from this checkout's cache by the next run: until then, that cache is what counts.
    if (remote.size === 0) return { area, dispose: () => {} };
    const dir = mkdtempSync(join(tmpdir(), 'ztc-state-view-'));
    try {
      const receipts = [...remote.keys()].filter((rel) => rel.startsWith('receipts/'));
      await inParallel(receipts, async (rel) => {
        const got = await this.store.get(this.key(rel));
        if (!got) return;
        const file = join(dir, rel);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, got.body);
      });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const root = area.root;
    const inView = (rel: string) => rel === root || rel.startsWith(`${root}/`);
    return {
      area: { ...area, stateDir: join(dir, 'state'), abs: (rel) => (inView(rel) ? join(dir, rel.slice(root.length + 1)) : area.abs(rel)) },
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  async begin(opts: BeginOptions): Promise<StateSession> {
    const lock = await RemoteRunLock.acquire(
      this.store,
      this.key(LOCK_OBJECT),
      { platform: opts.area.platform, command: opts.command },
      { ...this.opts.lock, notice: opts.notice },
    );
    opts.notice(`state backend ${this.location}: run lock taken (expires ${lock.holder.expires_at}, renewed while this run lasts)`);
    const session = new S3Session(this, lock, opts);
    try {
      await session.pull();
      await session.restorePrivateDir();
    } catch (e) {
      await lock.release();
      throw e;
    }
    return session;
  }
}

class S3Session implements StateSession {
  /** What the backend holds, as far as this run knows: `state/x` → md5 of the bytes. */
  private readonly synced = new Map<string, string>();
  /** sha256 of the private dir's tar as the backend holds it (when this run decrypted it): an unchanged dir is not pushed again. */
  private privateTarHash: string | undefined;

  constructor(
    private readonly backend: S3StateBackend,
    private readonly lock: RemoteRunLock,
    private readonly opts: BeginOptions,
  ) {}

  private get store(): S3Store {
    return this.backend.store;
  }

  private abs(rel: string): string {
    return this.opts.area.abs(`${this.opts.area.root}/${rel}`);
  }

  lost(): string | undefined {
    return this.lock.lost;
  }

  /** Make the cache what the backend holds (or seed an empty backend from the cache). */
  async pull(): Promise<void> {
    const remote = await this.backend.remoteFiles();
    const local = localFiles(this.opts.area);
    if (remote.size === 0) {
      if (local.length > 0) {
        await this.sync();
        this.opts.notice(
          `state backend ${this.backend.location} was empty: seeded it from ${this.opts.area.root} (${count(local, 'receipts/')} receipts, ${count(local, 'state/')} state files)`,
        );
      }
      return;
    }
    const fetched: string[] = [];
    await inParallel([...remote], async ([rel, etag]) => {
      const file = this.abs(rel);
      let have: string | undefined;
      try {
        have = md5Hex(readFileSync(file));
      } catch {
        have = undefined;
      }
      if (have !== undefined && have === md5OfEtag(etag)) {
        this.synced.set(rel, have);
        return;
      }
      const got = await this.store.get(this.backend.key(rel));
      if (!got) return; // removed meanwhile (only a run holding the lock removes)
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, got.body);
      renameSync(`${file}.tmp`, file);
      this.synced.set(rel, md5Hex(got.body));
      fetched.push(rel);
    });
    fetched.sort();
    const dropped = local.filter((rel) => !remote.has(rel));
    for (const rel of dropped) rmSync(this.abs(rel), { force: true });
    // Receipts that came from the backend are not "restored by the Nx cache" (restored-receipts.ts).
    noteLocalReceipts(
      this.opts.area,
      [...this.synced.keys()].filter((r) => r.startsWith('receipts/')).map((r) => `${this.opts.area.root}/${r}`),
    );
    if (fetched.length > 0 || dropped.length > 0) {
      this.opts.notice(
        `state from ${this.backend.location}: ${count([...remote.keys()], 'receipts/')} receipts, ${count([...remote.keys()], 'state/')} state files (${fetched.length} fetched${dropped.length ? `, ${dropped.length} not in the backend removed from ${this.opts.area.root}` : ''})`,
      );
    }
  }

  /** Push the files of the cache that differ from the backend, state first, and remove what the cache no longer has. */
  async sync(): Promise<void> {
    await this.lock.renewIfDue();
    if (this.lock.lost) throw lostError(this.lock.lost, this.backend.location);
    try {
      const local = localFiles(this.opts.area);
      const have = new Set(local);
      for (const rel of local) {
        const body = readFileSync(this.abs(rel));
        const md5 = md5Hex(body);
        if (this.synced.get(rel) === md5) continue;
        await this.store.put(this.backend.key(rel), body);
        this.synced.set(rel, md5);
      }
      for (const rel of [...this.synced.keys()]) {
        if (have.has(rel)) continue;
        await this.store.delete(this.backend.key(rel));
        this.synced.delete(rel);
      }
    } catch (e) {
      if (e instanceof ExitError)
        throw new ExitError(
          `could not write the state backend: ${e.message}. Run again once the backend answers: it continues from what the backend holds, so a step whose receipt did not reach it runs again`,
          ExitCode.failed,
          { code: 'state_backend_write' },
        );
      throw e;
    }
  }

  /** Restore the private dir from the backend when it is missing here; fill in files it lacks when an identity is at hand. */
  async restorePrivateDir(): Promise<void> {
    const recipients = this.backend.config.encryptTo;
    if (!recipients) return;
    const dir = this.opts.privateDir;
    const missing = isEmptyDir(dir);
    const ids = ageIdentities(this.opts.env);
    if (!missing && ids.keys.length === 0) return; // nothing to restore, nothing to decrypt with
    const object = await this.store.get(this.backend.key(PRIVATE_OBJECT));
    if (!object) return;
    if (ids.keys.length === 0) {
      throw new ExitError(
        `the private dir ${dir} is missing on this machine and ${this.backend.location}/${PRIVATE_OBJECT} holds an encrypted copy: export ZTC_STATE_AGE_IDENTITY=<age identity file of one of state.private_dir.encrypt_to> (or ZTC_STATE_AGE_KEY) and run again, so it is restored before any step runs`,
        ExitCode.invalid,
        { code: 'missing_secret' },
      );
    }
    const tar = await decryptWith(ids.keys, ids.from, object.body, `${this.backend.location}/${PRIVATE_OBJECT}`);
    const written = writeFiles(dir, untar(tar), !missing);
    this.privateTarHash = sha256(tar);
    if (written.length > 0) {
      this.opts.notice(
        missing
          ? `restored the private dir ${dir} from ${this.backend.location}/${PRIVATE_OBJECT} (${written.length} file${written.length === 1 ? '' : 's'})`
          : `restored ${written.length} file${written.length === 1 ? '' : 's'} missing from the private dir ${dir} from ${this.backend.location}/${PRIVATE_OBJECT}: ${written.join(', ')}`,
      );
    }
  }

  /**
   * Encrypt the private dir to the recipients and store it (unless it is what the backend already holds). A copy
   * this run could not read (no identity) is never replaced: this machine's dir may be the less complete one.
   */
  private async pushPrivateDir(): Promise<boolean> {
    const recipients = this.backend.config.encryptTo;
    const dir = this.opts.privateDir;
    if (!recipients || isEmptyDir(dir)) return false;
    const tar = tarDir(dir);
    const wanted = `${JSON.stringify([...recipients].sort())}\n`;
    if (this.privateTarHash === undefined && (await this.store.get(this.backend.key(PRIVATE_OBJECT)))) {
      this.opts.notice(
        `the private dir was not stored: ${this.backend.location}/${PRIVATE_OBJECT} holds a copy this run could not read, and this machine's may lack some of it; export ZTC_STATE_AGE_IDENTITY (or ZTC_STATE_AGE_KEY) with an identity of state.private_dir.encrypt_to, so the next run merges both and stores the result`,
      );
      return false;
    }
    if (this.privateTarHash === sha256(tar)) {
      // Unchanged since this run decrypted it: stored again only when encrypt_to changed.
      const stored = await this.store.get(this.backend.key(PRIVATE_RECIPIENTS_OBJECT));
      if (stored?.body.toString() === wanted) return true;
    }
    await this.store.put(this.backend.key(PRIVATE_OBJECT), await encryptTo(recipients, tar));
    await this.store.put(this.backend.key(PRIVATE_RECIPIENTS_OBJECT), Buffer.from(wanted));
    this.privateTarHash = sha256(tar);
    return true;
  }

  async end(): Promise<string | undefined> {
    let stored = false;
    if (!this.lock.lost) {
      try {
        stored = await this.pushPrivateDir();
      } catch (e) {
        this.opts.notice(`the private dir could not be stored in ${this.backend.location}/${PRIVATE_OBJECT} (${(e as Error).message}); back it up by hand (docs/bootstrap.md)`);
      }
    }
    await this.lock.release();
    return stored ? `${this.backend.location}/${PRIVATE_OBJECT}` : undefined;
  }

  async purge(): Promise<string[]> {
    await this.lock.renewIfDue();
    if (this.lock.lost) throw lostError(this.lock.lost, this.backend.location);
    // Only what this platform's runs write there (state/, receipts/, the private dir's two objects): a longer
    // prefix below this one may hold another platform's state, and the operator may keep files of their own.
    const prefix = this.backend.key('');
    const own = (rel: string) => SYNCED.some((f) => rel.startsWith(`${f}/`)) || rel === PRIVATE_OBJECT || rel === PRIVATE_RECIPIENTS_OBJECT;
    const all = (await this.store.list(prefix)).map((o) => o.key);
    const keys = all.filter((k) => own(k.slice(prefix.length)));
    const kept = all.filter((k) => k !== this.backend.key(LOCK_OBJECT) && !own(k.slice(prefix.length))).map((k) => k.slice(prefix.length));
    for (const key of keys.sort()) await this.store.delete(key);
    if (kept.length > 0) {
      this.opts.notice(
        `kept ${kept.length} object(s) under ${this.backend.location}/ that are not this platform's state (another platform's state.prefix below it, or files ZTC did not write): ${kept.sort().join(', ')}`,
      );
    }
    this.synced.clear();
    // Nothing of this run's to push any more: the private dir is gone too.
    this.privateTarHash = undefined;
    return keys.map((k) => `s3://${this.backend.config.bucket}/${k}`);
  }
}

/** Run `fn` on every item, at most 8 at a time (downloads of many small objects: latency, not bandwidth). */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(8, items.length) }, worker));
}

const count = (rels: readonly string[], folder: string) => rels.filter((r) => r.startsWith(folder)).length;

function lostError(why: string, location: string): ExitError {
  return new ExitError(`${why}: this run stopped and wrote nothing more to ${location}; check who runs bootstrap now (docs/operations.md) before running again`, ExitCode.failed, {
    code: 'lock_lost',
  });
}
