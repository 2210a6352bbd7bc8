/**
 * The one recursive file lister of ZTC: regular files below a folder, as sorted POSIX paths relative to it
 * (render's generated/ tree, validate, the Nx plugin's project files, lint, the render stamps, the Nx
 * executor's engine fingerprint). Symbolic links are never followed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareStrings } from './hash';

export interface ListFilesOptions {
  /** Entries (files or folders) to leave out, by name. @default dot-entries and node_modules */
  skip?: (name: string) => boolean;
  /** List folders and symbolic links too: every entry below `dir` but what `skip` leaves out. @default false */
  allEntries?: boolean;
  /** List symbolic links and other special files too (every entry that is not a folder), folders not. @default false */
  nonFolders?: boolean;
}

const skipHiddenAndDependencies = (name: string): boolean => name.startsWith('.') || name === 'node_modules';

/**
 * Regular files below `dir` (folders, symlinks and other special files are left out unless `allEntries` or
 * `nonFolders`); a missing or unreadable `dir` gives [].
 */
export function listFiles(dir: string, opts: ListFilesOptions = {}): string[] {
  const skip = opts.skip ?? skipHiddenAndDependencies;
  const out: string[] = [];
  const visit = (abs: string, prefix: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (skip(e.name)) continue;
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (opts.allEntries) out.push(rel);
        visit(join(abs, e.name), rel);
      } else if (e.isFile() || opts.allEntries || opts.nonFolders) out.push(rel);
    }
  };
  visit(dir, '');
  return out.sort(compareStrings);
}
