/**
 * Script libraries: shell files a step's script sources. The engine ships `ztc.sh` (reading context,
 * waiting with a deadline, API calls with retries, ERROR lines); an adapter may add its own under
 * `scripts/lib/*.sh`, shared by its steps. Bootstrap copies them next to the script (ZTC_LIB_DIR), and
 * their sha256 is part of each step in pipeline.yaml, so a library change is a pipeline change (validate)
 * and a new receipt key (bootstrap re-runs the step).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterManifest } from '../adapter/types';
import { ADAPTER_SCRIPT_LIB_DIR, ENGINE_SCRIPT_LIB, ENGINE_SCRIPT_LIB_DIR } from '../constants';
import { ConfigError } from '../errors';
import { sha256 } from '../util/hash';
import { FileDigests } from '../util/file-digests';
import { listFiles } from '../util/list-files';

export interface ScriptLib {
  /** File name in the step's dir (ZTC_LIB_DIR). */
  name: string;
  sha256: string;
}

let engineLib: ScriptLib | undefined;

export function engineScriptLib(): ScriptLib {
  engineLib ??= { name: ENGINE_SCRIPT_LIB, sha256: sha256(readFileSync(join(ENGINE_SCRIPT_LIB_DIR, ENGINE_SCRIPT_LIB))) };
  return engineLib;
}

/** Workspace-relative folder of an adapter's libraries. */
export function adapterLibDir(adapter: Pick<AdapterManifest, 'root'>): string {
  return `${adapter.root}/${ADAPTER_SCRIPT_LIB_DIR}`;
}

/** The adapter's `scripts/lib/*.sh`, sorted by name. */
export function adapterScriptLibs(workspaceRoot: string, adapter: AdapterManifest, digests = new FileDigests()): ScriptLib[] {
  const dir = adapterLibDir(adapter);
  const names = listFiles(join(workspaceRoot, dir)).filter((f) => !f.includes('/') && f.endsWith('.sh'));
  if (names.includes(ENGINE_SCRIPT_LIB)) {
    throw ConfigError.one({
      file: `${dir}/${ENGINE_SCRIPT_LIB}`,
      path: '',
      message: `"${ENGINE_SCRIPT_LIB}" is the name of the engine's script library`,
      hint: 'rename the adapter library',
    });
  }
  return names.map((name) => ({ name, sha256: digests.of(join(workspaceRoot, dir, name)) }));
}

/** A step's `libs` in pipeline.yaml: the engine's library and the adapter's, name → sha256. */
export function stepLibs(workspaceRoot: string, adapter: AdapterManifest, digests = new FileDigests()): Record<string, string> {
  return Object.fromEntries([engineScriptLib(), ...adapterScriptLibs(workspaceRoot, adapter, digests)].map((l) => [l.name, l.sha256]));
}

/**
 * Absolute path of a library a step names: the engine's, or one of its adapter's.
 * @param adapterRoot workspace-relative adapter folder
 */
export function scriptLibPath(workspaceRoot: string, adapterRoot: string, name: string): string {
  return name === ENGINE_SCRIPT_LIB ? join(ENGINE_SCRIPT_LIB_DIR, name) : join(workspaceRoot, adapterRoot, ADAPTER_SCRIPT_LIB_DIR, name);
}
