/** Locating the workspace and the adapters and platforms in it (where: workspace/layout.ts). */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ADAPTER_FILE, PLATFORM_FILE } from '../constants';
import { compareStrings } from '../util/hash';
import { readLayout } from './layout';

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
  return listWith(root, readLayout(root).adaptersRoot, ADAPTER_FILE);
}

/** Names of all platforms (folders with a platform.yaml), sorted. */
export function listPlatforms(root: string): string[] {
  return listWith(root, readLayout(root).platformsRoot, PLATFORM_FILE);
}

/** Workspace-relative folder of an adapter (`adapters/<name>`). */
export function adapterPath(root: string, name: string): string {
  return `${readLayout(root).adaptersRoot}/${name}`;
}

/** Workspace-relative folder of a platform (`platforms/<name>`). */
export function platformPath(root: string, name: string): string {
  return `${readLayout(root).platformsRoot}/${name}`;
}
