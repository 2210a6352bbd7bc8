import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles } from './list-files';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** a.x, a/b, a/c -> ../a.x (link), .hidden/f, node_modules/m */
function tree(): string {
  dir = mkdtempSync(join(tmpdir(), 'ztc-list-files-'));
  for (const f of ['a.x', 'a/b', '.hidden/f', 'node_modules/m']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  symlinkSync('../a.x', join(dir, 'a/c'));
  return dir;
}

describe('listFiles', () => {
  it('lists regular files by whole path, without dot-entries, node_modules or links', () => {
    expect(listFiles(tree())).toEqual(['a.x', 'a/b']);
  });

  it('lists links too with nonFolders, and folders too with allEntries', () => {
    const root = tree();
    const all = (): boolean => false;
    expect(listFiles(root, { skip: all, nonFolders: true })).toEqual(['.hidden/f', 'a.x', 'a/b', 'a/c', 'node_modules/m']);
    expect(listFiles(root, { skip: (n) => n.startsWith('.'), allEntries: true })).toEqual(['a', 'a.x', 'a/b', 'a/c', 'node_modules', 'node_modules/m']);
  });

  it('gives [] for a folder that does not exist', () => {
    tree();
    expect(listFiles(join(dir, 'missing'))).toEqual([]);
  });
});
