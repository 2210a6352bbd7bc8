/**
 * Reading adapter.yaml and platform.yaml for the project graph. Graph construction reads YAML and
 * lists folders, nothing else: no processes, no network, no writes. Problems are thrown as ConfigError
 * naming the file, so Nx reports them for that file while the other projects still load.
 */
import { basename, dirname, join } from 'node:path';
import { parseAdapter } from '../../adapter/read-adapter';
import type { AdapterManifest } from '../../adapter/types';
import { STAGES } from '../../constants';
import { ConfigError } from '../../errors';
import { readPlatformShape, unknownAdapterIssue } from '../../platform/read-platform';
import { resolve } from '../../resolve/resolver';
import { readYamlFile } from '../../util/yaml';
import { listFiles } from '../../util/list-files';

export interface AdapterInfo {
  manifest: AdapterManifest;
  /** The adapter has bash scripts (declared or under scripts/) for lint to check. */
  hasScripts: boolean;
  /** The adapter has *.spec.ts files for its test target. */
  hasSpecs: boolean;
}

export interface PlatformInfo {
  name: string;
  /** Workspace-relative folder (`platforms/<name>`). */
  root: string;
  file: string;
  /** Adapters in render order. */
  order: string[];
  /** adapter → the adapters it depends on in this platform (its providers). */
  dependsOn: Map<string, string[]>;
  /** capability → providing adapter, in this platform. */
  providers: Map<string, string>;
  /** adapter → the npm package it is installed from, for the adapters that are not the workspace's (filled in by createNodes). */
  packages?: ReadonlyMap<string, string>;
}

/** Read and validate `adapters/<name>/adapter.yaml` (the engine's own checks). */
export function readAdapterInfo(workspaceRoot: string, file: string, name = basename(dirname(file))): AdapterInfo {
  const root = dirname(file);
  const { value } = readYamlFile(join(workspaceRoot, file), file);
  const manifest = parseAdapter(value, { workspaceRoot, root, file, folderName: name });
  const files = listFiles(join(workspaceRoot, root));
  const declared = STAGES.some((s) => manifest.scripts[s].length > 0) || manifest.init.length > 0 || !!manifest.checkHealth || manifest.teardown.length > 0 || !!manifest.backup;
  return {
    manifest,
    hasScripts: declared || files.some((f) => f.endsWith('.sh')),
    hasSpecs: files.some((f) => /\.spec\.[cm]?ts$/.test(f)),
  };
}

/**
 * Read `platforms/<name>/platform.yaml` far enough to wire its tasks: the top-level shape, which
 * adapters it uses and how they resolve. Values inside adapter sections are not checked here; the
 * split-config task checks them exactly as `ztc render` does.
 */
export function readPlatformInfo(workspaceRoot: string, file: string, adapters: (name: string) => AdapterManifest | undefined, knownAdapters: readonly string[]): PlatformInfo {
  const root = dirname(file);
  const { data } = readPlatformShape(workspaceRoot, file);
  const used = new Map<string, AdapterManifest>();
  const unknown = [];
  let broken = false;
  for (const name of Object.keys(data.adapters).sort()) {
    const manifest = adapters(name);
    if (manifest) used.set(name, manifest);
    else if (!knownAdapters.includes(name)) unknown.push(name);
    else broken = true; // its adapter.yaml is invalid; that file's own error reports it
  }
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((name) => unknownAdapterIssue(file, name, knownAdapters)));
  }
  if (broken) {
    // Resolving without the broken adapter would only add misleading "missing capability" errors. Wire
    // the rest without order; split-config then fails with the engine's message if someone runs it.
    const order = [...used.keys()];
    return { name: basename(root), root, file, order, dependsOn: new Map(order.map((n) => [n, []])), providers: new Map() };
  }
  const resolution = resolve(used, { file });
  return { name: basename(root), root, file, order: resolution.order, dependsOn: resolution.dependsOn, providers: resolution.providers };
}
