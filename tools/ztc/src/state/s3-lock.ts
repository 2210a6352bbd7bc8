/**
 * The run lock of the s3 state backend: one object, `<prefix>/run.lock`, that every machine sees.
 *
 * - Taken with a conditional write (`PUT` with `If-None-Match: *`): of any number of runs, on any
 *   machines, exactly one creates it. Right after, the same write is sent again and must be refused: an
 *   endpoint that ignores the condition would let two runs in, so such an endpoint is refused instead.
 * - It records its owner (user@host, pid, ztc version, command) with `acquired_at` and `expires_at`,
 *   and is renewed while the run lasts (`If-Match: <its etag>`), so a run killed without a chance to
 *   release it (SIGKILL, a lost machine) blocks others only until it expires.
 * - An expired lock is taken over with `If-Match: <the expired lock's etag>`: of two runs that find the
 *   same expired lock, exactly one's write matches; the other is refused, naming the winner.
 * - Released (`DELETE` with `If-Match`) when the run ends, also after a failure or a signal. A run whose
 *   lock was taken over meanwhile (its renewals failed past the expiry, e.g. a laptop that slept) learns
 *   it at its next renewal and stops after the running step, writing nothing more to the backend.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { ENGINE_VERSION } from '../constants';
import { ExitCode, ExitError } from '../errors';
import type { S3Store } from './s3-store';

export interface LockRecord {
  lock_version: 1;
  platform: string;
  /** `user@host`. */
  owner: string;
  pid: number;
  ztc_version: string;
  /** The command that holds it, e.g. `ztc bootstrap prod --stage bootstrap`. */
  command: string;
  acquired_at: string;
  renewed_at: string;
  expires_at: string;
  /** Makes each lock's bytes (and so its etag) unique. */
  nonce: string;
}

export interface RemoteLockOptions {
  /** How long a lock lives without renewal. @default 300000 (5 min) */
  ttlMs?: number;
  /** Renewal interval; 0: no timer, renewed at every push only (tests). @default 60000 */
  renewMs?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
  /** Told when an expired lock is taken over, or the lock is lost. */
  notice?: (message: string) => void;
}

export interface LockOwner {
  platform: string;
  command: string;
  /** @default `<user>@<host>` of this process */
  owner?: string;
  pid?: number;
}

export const DEFAULT_LOCK_TTL_MS = 5 * 60_000;
export const DEFAULT_LOCK_RENEW_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'unknown';
  }
}

export function parseLock(body: Buffer): LockRecord | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as Partial<LockRecord>;
    if (typeof v.owner === 'string' && typeof v.expires_at === 'string' && !Number.isNaN(Date.parse(v.expires_at))) return v as LockRecord;
  } catch {
    /* not a lock ztc wrote */
  }
  return undefined;
}

/** `ops@laptop-7 (pid 1234) since 2026-12-07T22:40:01Z, lock expires 22:50:01Z`. */
export function describeLock(rec: LockRecord): string {
  const sameDay = rec.acquired_at.slice(0, 10) === rec.expires_at.slice(0, 10);
  return `${rec.owner} (pid ${rec.pid}) since ${rec.acquired_at}, lock expires ${sameDay ? rec.expires_at.slice(11) : rec.expires_at}`;
}

export class RemoteRunLock {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** Why this run no longer holds the lock (taken over, or not renewed in time); undefined while it does. */
  lost: string | undefined;

  private constructor(
    private readonly store: S3Store,
    readonly key: string,
    private record: LockRecord,
    private etag: string,
    private readonly opts: RemoteLockOptions,
  ) {}

  /** Take the lock, or throw (exit 3) naming the run that holds it. */
  static async acquire(store: S3Store, key: string, who: LockOwner, opts: RemoteLockOptions = {}): Promise<RemoteRunLock> {
    const now = opts.now ?? Date.now;
    const ttl = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    const nonce = randomBytes(8).toString('hex');
    const fresh = (): LockRecord => {
      const t = now();
      return {
        lock_version: 1,
        platform: who.platform,
        owner: who.owner ?? `${currentUser()}@${hostname()}`,
        pid: who.pid ?? process.pid,
        ztc_version: ENGINE_VERSION,
        command: who.command,
        acquired_at: iso(t),
        renewed_at: iso(t),
        expires_at: iso(t + ttl),
        nonce,
      };
    };
    for (let attempt = 0; attempt < 8; attempt++) {
      const mine = fresh();
      const body = Buffer.from(`${JSON.stringify(mine, null, 2)}\n`);
      const put = await store.put(key, body, { ifNoneMatch: true });
      if (put.ok) {
        try {
          await RemoteRunLock.checkConditionsHonoured(store, key, body);
        } catch (e) {
          // Not left behind to refuse the next run (as this run's, until it expires) when the check itself failed.
          await store.delete(key, { ifMatch: put.etag }).catch(() => undefined);
          throw e;
        }
        return new RemoteRunLock(store, key, mine, put.etag, opts).start();
      }
      if (put.status === 409) {
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1))); // a concurrent conditional write: ask again
        continue;
      }
      const current = await store.get(key);
      if (!current) continue; // released meanwhile
      const held = parseLock(current.body);
      if (!held) throw unreadable(store, key, who.platform);
      if (Date.parse(held.expires_at) > now()) throw heldBy(store, key, who.platform, held);
      const takeover = await store.put(key, body, { ifMatch: current.etag });
      if (takeover.ok) {
        opts.notice?.(
          `took over the run lock of ${held.owner} (pid ${held.pid}, ${held.command}): it expired at ${held.expires_at} without being renewed or released (that run was killed or lost its connection)`,
        );
        return new RemoteRunLock(store, key, mine, takeover.etag, opts).start();
      }
      // Another run took it over first (or it changed): look again, and name that run.
    }
    const last = await store.get(key);
    const rec = last && parseLock(last.body);
    if (rec) throw heldBy(store, key, who.platform, rec);
    throw new ExitError(`could not take the run lock ${store.objectName(key)}: it kept changing; run again`, ExitCode.invalid, { code: 'concurrent_run' });
  }

  /** A second create of the lock must fail: an endpoint that ignores If-None-Match cannot keep runs apart. */
  private static async checkConditionsHonoured(store: S3Store, key: string, body: Buffer): Promise<void> {
    const again = await store.put(key, body, { ifNoneMatch: true });
    if (!again.ok) return;
    await store.delete(key);
    throw new ExitError(
      `the state backend ${store.where} ignores conditional writes (a second PUT with If-None-Match: * succeeded), so its run lock could not keep two runs apart: use object storage that supports them (AWS S3, Hetzner Object Storage, MinIO, Ceph RGW), or the local backend`,
      ExitCode.invalid,
      { code: 'state_backend_refused' },
    );
  }

  private start(): this {
    const every = this.opts.renewMs ?? DEFAULT_LOCK_RENEW_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.renew(), every);
      this.timer.unref();
    }
    return this;
  }

  /** Renew now when the last renewal is older than the interval (a push checks the lock is still this run's). */
  async renewIfDue(): Promise<void> {
    const every = this.opts.renewMs ?? DEFAULT_LOCK_RENEW_MS;
    if ((this.opts.now ?? Date.now)() - Date.parse(this.record.renewed_at) >= every) await this.renew();
  }

  /** Extend the lock (If-Match: its etag); on failure past the expiry, or when another run has it, it is lost. */
  renew(): Promise<void> {
    if (this.lost || this.renewing) return this.renewing ?? Promise.resolve();
    this.renewing = (async () => {
      const now = (this.opts.now ?? Date.now)();
      const next: LockRecord = { ...this.record, renewed_at: iso(now), expires_at: iso(now + (this.opts.ttlMs ?? DEFAULT_LOCK_TTL_MS)) };
      try {
        const put = await this.store.put(this.key, Buffer.from(`${JSON.stringify(next, null, 2)}\n`), { ifMatch: this.etag });
        if (put.ok) {
          this.record = next;
          this.etag = put.etag;
          return;
        }
        if (put.status === 409) return; // try again at the next renewal
        const current = await this.store.get(this.key).catch(() => undefined);
        const holder = current && parseLock(current.body);
        this.loseIt(holder ? `the run lock was taken over by ${describeLock(holder)}` : 'the run lock was removed by someone else');
      } catch (e) {
        if (Date.parse(this.record.expires_at) <= (this.opts.now ?? Date.now)())
          this.loseIt(`the run lock could not be renewed before it expired at ${this.record.expires_at} (${(e as Error).message})`);
      }
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private loseIt(why: string): void {
    this.lost = why;
    this.stop();
    this.opts.notice?.(`${why}; this run stops after its running step and writes nothing more to the state backend`);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The current record (what others see). */
  get holder(): LockRecord {
    return this.record;
  }

  /** Remove the lock if it is still this run's (If-Match). Never throws: an unreleased lock expires. */
  async release(): Promise<void> {
    this.stop();
    await this.renewing;
    if (this.lost) return;
    try {
      if (!(await this.store.delete(this.key, { ifMatch: this.etag })))
        this.opts.notice?.(`the run lock ${this.store.objectName(this.key)} was no longer this run's when it ended; left as it is`);
    } catch (e) {
      this.opts.notice?.(`the run lock ${this.store.objectName(this.key)} could not be released (${(e as Error).message}); it expires at ${this.record.expires_at}`);
    }
    this.lost = 'released';
  }
}

function heldBy(store: S3Store, key: string, platform: string, rec: LockRecord): ExitError {
  return new ExitError(
    `another bootstrap of ${platform} is running: ${describeLock(rec)} (${rec.command}, ztc ${rec.ztc_version}; lock ${store.objectName(key)}); wait for it to finish. A run that was killed frees the lock when it expires; to break it by hand see docs/operations.md`,
    ExitCode.invalid,
    { code: 'concurrent_run' },
  );
}

function unreadable(store: S3Store, key: string, platform: string): ExitError {
  return new ExitError(
    `the run lock of ${platform} (${store.objectName(key)}) exists but is not a lock ztc wrote, so its owner and expiry are unknown: if no run of ${platform} is going, remove the object by hand (docs/operations.md: breaking a lock by hand)`,
    ExitCode.invalid,
    { code: 'concurrent_run' },
  );
}
