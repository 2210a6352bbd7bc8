/**
 * ZTC_STATE_DIR holds values scripts produce for later steps and later runs, and it is an Nx cache
 * output, so it travels to other machines: it must never hold a secret in clear (CONTRACT §6). After
 * every step the files in it are checked for any form of any secret value; a file that holds one is
 * removed and the step fails, naming the file (never the value).
 */
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Masker } from './masker';
import { listFiles } from '../util/list-files';

/** Files larger than this are not read (state holds small values: keys, ids, endpoints). */
const MAX_SCAN_BYTES = 8 * 1024 * 1024;

/**
 * Remove every file under `stateDir` that contains a secret.
 * @returns the removed files, relative to `stateDir`
 */
export function removeLeakedSecrets(stateDir: string, masker: Masker): string[] {
  if (masker.maxLength === 0) return [];
  const leaked: string[] = [];
  // Hidden files too: a secret in `.cache/x` would reach the Nx cache all the same.
  for (const file of listFiles(stateDir, { skip: () => false }).map((f) => join(stateDir, f))) {
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
