/** Reading a platform's current render output from disk. */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareStrings } from '../util/hash';

/** Every entry under `dir` (files, and symlinks or other non-directories), path → absolute path. */
export function listTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (abs: string, prefix: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(abs);
    } catch {
      return;
    }
    for (const entry of entries.sort(compareStrings)) {
      const childAbs = join(abs, entry);
      const rel = prefix ? `${prefix}/${entry}` : entry;
      if (lstatSync(childAbs).isDirectory()) visit(childAbs, rel);
      else out.set(rel, childAbs);
    }
  };
  visit(dir, '');
  return out;
}

export function readIfExists(abs: string): Buffer | undefined {
  try {
    return readFileSync(abs);
  } catch {
    return undefined;
  }
}

export function sameContent(abs: string, content: string): boolean {
  const current = readIfExists(abs);
  return current !== undefined && current.equals(Buffer.from(content, 'utf8'));
}
