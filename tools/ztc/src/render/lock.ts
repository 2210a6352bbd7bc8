/** lock.json (CONTRACT §4): canonical JSON of everything a render depended on and produced. */
import { join } from 'node:path';
import type { AdapterManifest } from '../adapter/types';
import { ENGINE_VERSION } from '../constants';
import { canonicalJson, hashFileSet, sha256 } from '../util/hash';
import { listFiles } from '../util/list-files';
import { FileDigests } from '../util/file-digests';

export interface Lock {
  engine_version: string;
  platform_hash: string;
  adapters: Record<string, { version: string; source_hash: string }>;
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

/** sha256 over the adapter's source files (sorted `path\0sha256\n` lines). */
export function adapterSourceHash(workspaceRoot: string, adapter: AdapterManifest, digests = new FileDigests()): string {
  const dir = join(workspaceRoot, adapter.root);
  const files: Record<string, string> = {};
  for (const rel of listFiles(dir).filter(isAdapterSourceFile)) files[rel] = digests.of(join(dir, rel));
  return hashFileSet(files);
}

export interface LockInput {
  platformRaw: Uint8Array;
  adapters: AdapterManifest[];
  sourceHashes: ReadonlyMap<string, string>;
  files: ReadonlyMap<string, string>;
  pipelineText: string;
}

export function buildLock(input: LockInput): Lock {
  const files: Record<string, string> = {};
  for (const [path, content] of input.files) files[path] = sha256(content);
  return {
    engine_version: ENGINE_VERSION,
    platform_hash: sha256(input.platformRaw),
    adapters: Object.fromEntries(
      input.adapters.map((a) => [a.name, { version: a.version, source_hash: input.sourceHashes.get(a.name)! }]),
    ),
    files,
    artifacts_hash: hashFileSet(files),
    pipeline_hash: sha256(input.pipelineText),
  };
}

export function serializeLock(lock: Lock): string {
  return canonicalJson(lock);
}
