/** Hashing and canonical JSON: the byte-level basis of lock.json and receipts. */
import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Byte-wise (not locale) ordering, so sorting is identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/** Canonical JSON: sorted keys at every level, 2-space indent, trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortDeep(value), null, 2)}\n`;
}

/** sha256 over sorted `path\0sha256\n` lines: one digest for a set of files, unambiguous by construction. */
export function hashFileSet(files: Record<string, string>): string {
  const lines = Object.keys(files)
    .sort(compareStrings)
    .map((p) => `${p}\0${files[p]}\n`);
  return sha256(lines.join(''));
}
