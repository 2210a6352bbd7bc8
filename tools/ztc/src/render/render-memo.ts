/**
 * What an adapter's render module returned, remembered by everything the return value can depend on, so
 * `ztc render` of an unchanged workspace does not load and run every render module again (in a fresh
 * process that is most of an up-to-date render: loading the modules and V8 compiling their code).
 *
 * A render module is a pure function (CONTRACT; validate checks it) of its code and its arguments. Its
 * code is the adapter folder (render modules may import nothing else of the workspace:
 * module-boundary.ts), the engine and the npm packages it loads. The key therefore holds: the content of
 * every file in the adapter folder (dot-files and tests too), the engine's identity (the build it runs
 * from, dist/build.json: every engine source file), the Node version, and the exact arguments (config with
 * defaults, platform metadata, consumed payloads) as JSON. The npm packages are recorded when the module
 * runs (the module graph Node loaded) and checked by their package.json on every use. Running from the
 * sources (specs that load them) there is no engine identity and nothing is remembered.
 *
 * Only the module's return value is remembered: every check on it (declared capabilities, contracts,
 * output paths and syntax) runs as usual. The Nx layer caches the same step by the same inputs
 * (render-<adapter>: the adapter folder, the engine, its config slice and its providers' payloads).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { AdapterManifest } from '../adapter/types';
import type { PlatformMetadata, RenderResult } from '../sdk/types';
import { ContentCache } from '../util/content-cache';
import { jsonExact } from '../util/json-safety';
import { FileDigests } from '../util/file-digests';
import { sha256 } from '../util/hash';
import { listFiles } from '../util/list-files';

const memo = new ContentCache('render', 'render-memo-1');

let identity: string | null | undefined;

/**
 * Identity of the engine code this process runs: the id of the build it runs from (dist/build.json,
 * next to the bundle: the sha256 of everything built), or undefined when it runs from its sources (specs).
 */
export function engineIdentity(): string | undefined {
  if (identity === undefined) {
    identity = null;
    try {
      // __dirname is dist/ in a bundle (build/build.js), src/render/ in the sources, which have no build.json.
      const id = (JSON.parse(readFileSync(join(__dirname, 'build.json'), 'utf8')) as { id?: unknown }).id;
      if (typeof id === 'string') identity = id;
    } catch {
      /* running from source */
    }
  }
  return identity ?? undefined;
}

export interface RenderArgs {
  config: Record<string, unknown>;
  platform: PlatformMetadata;
  consumed: Record<string, unknown>;
}

/** The memo key of rendering `adapter` with `args`, or undefined when this render cannot be remembered. */
export function renderMemoKey(workspaceRoot: string, adapter: AdapterManifest, args: RenderArgs, digests = new FileDigests()): string | undefined {
  const engine = engineIdentity();
  if (engine === undefined || !jsonExact(args)) return undefined;
  const dir = join(workspaceRoot, adapter.root);
  const files = listFiles(dir, { skip: (name) => name === 'node_modules' }).map((f) => [f, digests.of(join(dir, f))]);
  return JSON.stringify({ engine, node: process.version, root: adapter.root, render: adapter.render, files, args });
}

interface Entry {
  result: RenderResult;
  /** package.json files of the npm packages the module loaded (workspace-relative inside it), with their sha256. */
  packages: [string, string][];
}

const fileSha = (file: string): string | undefined => {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined;
  }
};

/**
 * The remembered return value for `key`, if every npm package it was made with is unchanged. Package
 * files inside the workspace are recorded relative to it: the memo is by content, and another workspace
 * with the same adapter must be checked against its own packages.
 */
export function recall(workspaceRoot: string, key: string, packages?: Set<string>): RenderResult | undefined {
  const text = memo.get(key);
  if (text === undefined) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(text) as Entry;
  } catch {
    return undefined;
  }
  const files = entry.packages.map(([file, sha]) => [isAbsolute(file) ? file : join(workspaceRoot, file), sha] as const);
  if (!files.every(([file, sha]) => fileSha(file) === sha)) return undefined;
  for (const [file] of files) packages?.add(file);
  return entry.result;
}

/** npm packages (their package.json) in the module graph Node loaded from `entry`, within the adapter and below. */
export function loadedPackages(entry: string): string[] {
  const root = require.cache[require.resolve(entry)];
  if (!root) return [];
  const marker = `${sep}node_modules${sep}`;
  const packages = new Set<string>();
  const seen = new Set<NodeJS.Module>();
  const visit = (mod: NodeJS.Module): void => {
    seen.add(mod);
    for (const child of mod.children) {
      if (seen.has(child)) continue;
      let file = child.filename;
      try {
        file = realpathSync(file);
      } catch {
        /* as loaded */
      }
      const at = file.lastIndexOf(marker);
      if (at !== -1) {
        const rest = file.slice(at + marker.length).split(sep);
        const name = rest[0]!.startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1);
        packages.add(join(file.slice(0, at + marker.length), ...name, 'package.json'));
      }
      visit(child);
    }
  };
  visit(root);
  return [...packages].sort();
}

/**
 * Remember `result` under `key` with the package.json files of the npm packages the render module
 * loaded (`loadedPackages`). A result JSON cannot carry exactly is not remembered.
 */
export function remember(workspaceRoot: string, key: string, result: RenderResult, loaded: readonly string[]): void {
  if (!jsonExact(result)) return;
  const packages: [string, string][] = [];
  const root = realpathSync(workspaceRoot);
  for (const file of loaded) {
    const sha = fileSha(file);
    if (sha === undefined) return;
    const rel = relative(root, file);
    packages.push([rel.startsWith('..') || isAbsolute(rel) ? file : rel, sha]);
  }
  memo.set(key, JSON.stringify({ result, packages } satisfies Entry));
}
