/**
 * The integrity (`sha512-…`) the workspace's lockfile records for an installed package: npm's
 * (`node_modules/.package-lock.json`, else `package-lock.json`: `packages["node_modules/<name>"]`) or
 * pnpm's (`pnpm-lock.yaml`: `packages["<name>@<version or spec>"].resolution`, the installed version's first). Undefined when no
 * lockfile names it (yarn, a hand-made node_modules): lock.json then records the version alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledAdapter } from './workspace';

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

function fromNpm(workspaceRoot: string, pkg: InstalledAdapter): string | undefined {
  for (const file of ['node_modules/.package-lock.json', 'package-lock.json']) {
    const text = readText(join(workspaceRoot, file));
    if (text === undefined) continue;
    try {
      const lock = JSON.parse(text) as { packages?: Record<string, { integrity?: unknown }> };
      const integrity = lock.packages?.[pkg.dir]?.integrity;
      if (typeof integrity === 'string') return integrity;
    } catch {
      /* not JSON: npm will say so */
    }
  }
  return undefined;
}

function fromPnpm(workspaceRoot: string, pkg: InstalledAdapter): string | undefined {
  const text = readText(join(workspaceRoot, 'pnpm-lock.yaml'));
  if (text === undefined) return undefined;
  try {
    const { parse } = require('yaml') as typeof import('yaml');
    const lock = parse(text) as { packages?: Record<string, { resolution?: { integrity?: unknown } }> };
    // Keys are `<name>@<version>` (pnpm 8: `/<name>@<version>`; peers add `(…)`) or `<name>@file:…`
    // for a tarball: the installed version's entry, else the first by another spec.
    let other: string | undefined;
    for (const [key, entry] of Object.entries(lock.packages ?? {})) {
      const integrity = entry.resolution?.integrity;
      const spec = key.replace(/^\//, '');
      if (typeof integrity !== 'string' || !spec.startsWith(`${pkg.packageName}@`)) continue;
      const version = spec.slice(pkg.packageName.length + 1).replace(/\(.*$/, '');
      if (version === pkg.version) return integrity;
      other ??= integrity;
    }
    return other;
  } catch {
    /* not YAML: pnpm will say so */
  }
  return undefined;
}

export function packageIntegrity(workspaceRoot: string, pkg: InstalledAdapter): string | undefined {
  return fromNpm(workspaceRoot, pkg) ?? fromPnpm(workspaceRoot, pkg);
}
