/**
 * Where a workspace keeps its adapters, platforms and capability contracts. The one source is the ZTC
 * plugin's entry in nx.json (`adaptersRoot`, `platformsRoot`, `capabilitiesRoot`), so `ztc`, the Nx
 * plugin and the executors always agree; without options (or without the plugin registered) the
 * defaults are this repository's layout. Everything here is workspace-relative with `/` separators.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { ENGINE_ROOT, PACKAGE_NAME } from '../constants';
import { ConfigError, type Issue } from '../errors';
import { parseJsonc } from '../util/jsonc';

export interface WorkspaceLayout {
  /** Folder holding one folder per adapter. */
  adaptersRoot: string;
  /** Folder holding one folder per platform. */
  platformsRoot: string;
  /** Folder of the workspace's capability contracts (added to the ones the package ships). */
  capabilitiesRoot: string;
}

export const DEFAULT_LAYOUT: Readonly<WorkspaceLayout> = Object.freeze({
  adaptersRoot: 'adapters',
  platformsRoot: 'platforms',
  capabilitiesRoot: 'tools/ztc/capabilities',
});

const NX_JSON = 'nx.json';

/** A root as given (`./infra/adapters/`) in canonical form (`infra/adapters`), or an issue. */
function canonicalRoot(value: unknown, key: keyof WorkspaceLayout, file: string, issues: Issue[]): string {
  if (value === undefined) return DEFAULT_LAYOUT[key];
  const path = `plugins[ztc].options.${key}`;
  if (typeof value !== 'string' || value.trim() === '') {
    issues.push({ file, path, message: `must be a non-empty folder path, got ${JSON.stringify(value)}` });
    return DEFAULT_LAYOUT[key];
  }
  const normalized = posix.normalize(value.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (isAbsolute(value) || normalized === '..' || normalized.startsWith('../') || normalized === '.' || normalized === '') {
    issues.push({ file, path, message: `must be a folder inside the workspace, got "${value}"`, hint: `e.g. "${DEFAULT_LAYOUT[key]}"` });
    return DEFAULT_LAYOUT[key];
  }
  return normalized;
}

const nested = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** Roots from plugin options, canonical and checked (distinct, not nested in each other). */
export function normalizeLayout(options: Partial<Record<keyof WorkspaceLayout, unknown>> | undefined, file = NX_JSON): WorkspaceLayout {
  const issues: Issue[] = [];
  const layout: WorkspaceLayout = {
    adaptersRoot: canonicalRoot(options?.adaptersRoot, 'adaptersRoot', file, issues),
    platformsRoot: canonicalRoot(options?.platformsRoot, 'platformsRoot', file, issues),
    capabilitiesRoot: canonicalRoot(options?.capabilitiesRoot, 'capabilitiesRoot', file, issues),
  };
  if (issues.length === 0 && nested(layout.adaptersRoot, layout.platformsRoot)) {
    issues.push({
      file,
      path: 'plugins[ztc].options.platformsRoot',
      message: `"${layout.platformsRoot}" and adaptersRoot "${layout.adaptersRoot}" overlap`,
      hint: 'give adapters and platforms separate folders',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return layout;
}

interface PluginEntry {
  plugin: string;
  options?: Record<string, unknown>;
}

/** Whether an nx.json plugin reference is this package (`@ztc/engine/plugin`, or a path into it). */
export function isZtcPlugin(plugin: string, workspaceRoot: string): boolean {
  if (plugin === PACKAGE_NAME || plugin.startsWith(`${PACKAGE_NAME}/`)) return true;
  if (!plugin.startsWith('.')) return false;
  if (plugin.replace(/\\/g, '/').includes(`node_modules/${PACKAGE_NAME}/`)) return true;
  const engine = realEngineRoot();
  let target = resolve(workspaceRoot, plugin);
  try {
    target = realpathSync(target);
  } catch {
    /* a path that does not exist is not ours */
  }
  const rel = relative(engine, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

let engineReal: string | undefined;
function realEngineRoot(): string {
  engineReal ??= realpathSync(ENGINE_ROOT);
  return engineReal;
}

/** The ZTC entry of nx.json's `plugins`, if registered. */
export function findPluginEntry(nxJson: unknown, workspaceRoot: string): PluginEntry | undefined {
  const plugins = (nxJson as { plugins?: unknown[] } | null)?.plugins;
  if (!Array.isArray(plugins)) return undefined;
  for (const p of plugins) {
    const entry: PluginEntry | undefined = typeof p === 'string' ? { plugin: p } : ((p as PluginEntry | null) ?? undefined);
    if (entry && typeof entry.plugin === 'string' && isZtcPlugin(entry.plugin, workspaceRoot)) return entry;
  }
  return undefined;
}

/** The options of the ZTC plugin entry in nx.json's text (undefined without nx.json or the entry). */
export function pluginOptionsFromNxJson(text: string | undefined | null, workspaceRoot: string): Record<string, unknown> | undefined {
  if (text === undefined || text === null) return undefined;
  let nxJson: unknown;
  try {
    nxJson = parseJsonc(text);
  } catch (e) {
    throw ConfigError.one({ file: NX_JSON, path: '', message: `invalid JSON: ${(e as Error).message}` });
  }
  return findPluginEntry(nxJson, workspaceRoot)?.options;
}

/** The layout nx.json's text gives (defaults without it). */
export function layoutFromNxJson(text: string | undefined | null, workspaceRoot: string): WorkspaceLayout {
  return normalizeLayout(pluginOptionsFromNxJson(text, workspaceRoot));
}

const cache = new Map<string, { text: string; layout: WorkspaceLayout }>();

/** The layout of the workspace at `workspaceRoot` (read from its nx.json; re-read when the file changes). */
export function readLayout(workspaceRoot: string): WorkspaceLayout {
  let text: string;
  try {
    text = readFileSync(join(workspaceRoot, NX_JSON), 'utf8');
  } catch {
    return DEFAULT_LAYOUT;
  }
  const hit = cache.get(workspaceRoot);
  if (hit && hit.text === text) return hit.layout;
  const layout = layoutFromNxJson(text, workspaceRoot);
  cache.set(workspaceRoot, { text, layout });
  return layout;
}
