/** Bearer-token checks: constant-time comparison of digests, so timing reveals nothing about a token. */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Access = 'read-write' | 'read-only' | 'none';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class TokenAuth {
  private readonly rw: Buffer[];
  private readonly ro: Buffer[];
  constructor(readWrite: readonly string[], readOnly: readonly string[]) {
    this.rw = readWrite.map(digest);
    this.ro = readOnly.map(digest);
  }

  /** Access granted by an `Authorization` header value. */
  access(header: string | undefined): Access {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return 'none';
    const given = digest(m[1]!);
    const matches = (list: Buffer[]): boolean => list.reduce((hit, t) => timingSafeEqual(t, given) || hit, false);
    if (matches(this.rw)) return 'read-write';
    if (matches(this.ro)) return 'read-only';
    return 'none';
  }
}
