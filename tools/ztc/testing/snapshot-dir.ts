/** Byte-exact snapshots of a folder (path → content, plus mtimes) to prove nothing was touched. */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DirSnapshot {
  files: Record<string, string>;
  mtimes: Record<string, number>;
}

export function snapshotDir(dir: string): DirSnapshot {
  const snap: DirSnapshot = { files: {}, mtimes: {} };
  const visit = (abs: string, prefix: string): void => {
    for (const entry of readdirSync(abs).sort()) {
      const child = join(abs, entry);
      const rel = prefix ? `${prefix}/${entry}` : entry;
      const st = lstatSync(child);
      if (st.isDirectory()) visit(child, rel);
      else {
        snap.files[rel] = readFileSync(child).toString('base64');
        snap.mtimes[rel] = st.mtimeMs;
      }
    }
  };
  visit(dir, '');
  return snap;
}
