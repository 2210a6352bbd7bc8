/**
 * ZTC_STATE_DIR holds values scripts produce for later steps and later runs, and it is an Nx cache
 * output, so it travels to other machines: it must never hold a secret in clear (CONTRACT §6). After
 * every step the files in it are checked for any form of any secret value; a file that holds one is
 * removed and the step fails, naming the file (never the value).
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Masker } from './masker';

/** Files larger than this are not read (state holds small values: keys, ids, endpoints). */
const MAX_SCAN_BYTES = 8 * 1024 * 1024;

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const abs = join(dir, e.name);
    if (e.isDirectory()) return listFiles(abs);
    return e.isFile() ? [abs] : [];
  });
}

/**
 * Remove every file under `stateDir` that contains a secret.
 * @returns the removed files, relative to `stateDir`
 */
export function removeLeakedSecrets(stateDir: string, masker: Masker): string[] {
  if (masker.maxLength === 0) return [];
  const leaked: string[] = [];
  for (const file of listFiles(stateDir)) {
    try {
      if (lstatSync(file).size > MAX_SCAN_BYTES) continue;
      if (masker.finds(readFileSync(file, 'utf8'))) {
        rmSync(file, { force: true });
        leaked.push(relative(stateDir, file));
      }
    } catch {
      /* removed meanwhile */
    }
  }
  return leaked;
}
