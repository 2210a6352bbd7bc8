/** lock.json (CONTRACT §4): canonical JSON of everything a render depended on and produced. */
import { join } from 'node:path';
import type { AdapterManifest } from '../adapter/types';
import { ENGINE_VERSION } from '../constants';
import { canonicalJson, hashFileSet, sha256 } from '../util/hash';
import { listFiles } from '../util/list-files';
import { FileDigests } from '../util/file-digests';
import { packageIntegrity } from '../workspace/package-integrity';
import { adapterPackage, type InstalledAdapter } from '../workspace/workspace';

/** One adapter in lock.json: its version, a hash of its source and where it came from. */
export interface LockedAdapter {
  version: string;
  /** Workspace adapter: sha256 over its source files. Installed package: sha256 of `<package>@<version>`. */
  source_hash: string;
  /** `adapters/talos` (the workspace's adapters folder) or `npm:@ztc/adapter-talos@1.1.0` (an installed package). */
  source: string;
  /** The installed package's integrity, as the workspace's lockfile records it (npm, pnpm); absent for a workspace adapter. */
  integrity?: string;
}

export interface Lock {
  engine_version: string;
  platform_hash: string;
  adapters: Record<string, LockedAdapter>;
  files: Record<string, string>;
  artifacts_hash: string;
  pipeline_hash: string;
}

/** Files that are part of an adapter's source: everything but tests, fixtures and dependencies. */
export function isAdapterSourceFile(relPath: string): boolean {
  const parts = relPath.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.some((p) => p === 'node_modules' || p === '__fixtures__' || p === 'tests' || p.startsWith('.'))) return false;
  return !/\.(spec|test)\.[cm]?[jt]s$/.test(base);
}

/** The installed package an adapter was read from (its root is the package's folder), or undefined. */
function installedFrom(workspaceRoot: string, adapter: AdapterManifest): InstalledAdapter | undefined {
  const pkg = adapterPackage(workspaceRoot, adapter.name);
  return pkg?.dir === adapter.root ? pkg : undefined;
}

/**
 * sha256 over the adapter's source files (sorted `path\0sha256\n` lines); for an installed package,
 * of its name and version (a published version never changes, as for the engine).
 */
export function adapterSourceHash(workspaceRoot: string, adapter: AdapterManifest, digests = new FileDigests()): string {
  const pkg = installedFrom(workspaceRoot, adapter);
  if (pkg !== undefined) return sha256(`${pkg.packageName}@${pkg.version}`);
  const dir = join(workspaceRoot, adapter.root);
  const files: Record<string, string> = {};
  for (const rel of listFiles(dir).filter(isAdapterSourceFile)) files[rel] = digests.of(join(dir, rel));
  return hashFileSet(files);
}

/** Where an adapter came from, for lock.json: its workspace folder, or its package with the lockfile's integrity. */
export function adapterSource(workspaceRoot: string, adapter: AdapterManifest): Pick<LockedAdapter, 'source' | 'integrity'> {
  const pkg = installedFrom(workspaceRoot, adapter);
  if (pkg === undefined) return { source: adapter.root };
  const integrity = packageIntegrity(workspaceRoot, pkg);
  return { source: `npm:${pkg.packageName}@${pkg.version}`, ...(integrity !== undefined && { integrity }) };
}

export interface LockInput {
  platformRaw: Uint8Array;
  adapters: AdapterManifest[];
  sourceHashes: ReadonlyMap<string, string>;
  /** Where each adapter came from (adapterSource), by name. */
  sources: ReadonlyMap<string, Pick<LockedAdapter, 'source' | 'integrity'>>;
  files: ReadonlyMap<string, string>;
  pipelineText: string;
}

export function buildLock(input: LockInput): Lock {
  const files: Record<string, string> = {};
  for (const [path, content] of input.files) files[path] = sha256(content);
  return {
    engine_version: ENGINE_VERSION,
    platform_hash: sha256(input.platformRaw),
    adapters: Object.fromEntries(input.adapters.map((a) => [a.name, { version: a.version, source_hash: input.sourceHashes.get(a.name)!, ...input.sources.get(a.name)! }])),
    files,
    artifacts_hash: hashFileSet(files),
    pipeline_hash: sha256(input.pipelineText),
  };
}

export function serializeLock(lock: Lock): string {
  return canonicalJson(lock);
}
