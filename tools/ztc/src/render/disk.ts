/** Reading a platform's current render output from disk. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../util/list-files';

/** Every entry under `dir` (files, and symlinks or other non-directories), path → absolute path, by path. */
export function listTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir, { skip: () => false, nonFolders: true }).map((rel) => [rel, join(dir, rel)]));
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
