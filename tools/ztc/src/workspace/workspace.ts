/** Locating the workspace and the adapters and platforms in it. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ADAPTER_FILE, ADAPTERS_DIR, PLATFORM_FILE, PLATFORMS_DIR } from '../constants';
import { compareStrings } from '../util/hash';

/** The nearest ancestor of `start` holding nx.json (else `start` itself). */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

function listWith(root: string, folder: string, file: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, folder));
  } catch {
    return [];
  }
  return entries.filter((e) => existsSync(join(root, folder, e, file))).sort(compareStrings);
}

/** Names of all adapters (folders with an adapter.yaml), sorted. */
export function listAdapters(root: string): string[] {
  return listWith(root, ADAPTERS_DIR, ADAPTER_FILE);
}

/** Names of all platforms (folders with a platform.yaml), sorted. */
export function listPlatforms(root: string): string[] {
  return listWith(root, PLATFORMS_DIR, PLATFORM_FILE);
}

export function adapterRoot(root: string, name: string): string {
  return join(root, ADAPTERS_DIR, name);
}

export function platformRoot(root: string, name: string): string {
  return join(root, PLATFORMS_DIR, name);
}
