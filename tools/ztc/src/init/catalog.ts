/**
 * The workspace's adapters as init offers them: selection groups (one choice each), the providers of
 * each capability, and the order init works in, providers (and the adapters a derived default reads
 * from) before the adapters that need them, ties by name, as render orders them.
 */
import { readAdapter } from '../adapter/read-adapter';
import type { AdapterManifest } from '../adapter/types';
import { ConfigError } from '../errors';
import { compareStrings } from '../util/hash';
import { topologicalSort } from '../util/topo-sort';
import { listAdapters } from '../workspace/workspace';
import { DEFAULT_FROM_KEY, defaultFromSources } from '../adapter/default-from';
import { fieldsOf } from './fields';

export interface SelectionGroup {
  name: string;
  /** Adapter names, sorted. */
  adapters: string[];
  /** The adapter marked `is_default: true`, if any. */
  default?: string;
  /** A group without a default adapter may be left empty ("none"). */
  optional: boolean;
}

export interface Catalog {
  adapters: Map<string, AdapterManifest>;
  /** Adapters whose adapter.yaml is invalid: not offered; an error only if the platform needs them. */
  broken: Map<string, ConfigError>;
  groups: SelectionGroup[];
}

export function loadCatalog(workspaceRoot: string): Catalog {
  const adapters = new Map<string, AdapterManifest>();
  const broken = new Map<string, ConfigError>();
  for (const name of listAdapters(workspaceRoot)) {
    try {
      adapters.set(name, readAdapter(workspaceRoot, name));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      broken.set(name, e);
    }
  }
  return { adapters, broken, groups: selectionGroups(adapters) };
}

function selectionGroups(adapters: ReadonlyMap<string, AdapterManifest>): SelectionGroup[] {
  const groups = new Map<string, SelectionGroup>();
  for (const name of dependencyOrder([...adapters.keys()], adapters)) {
    const m = adapters.get(name)!;
    if (!m.selectionGroup) continue;
    const g = groups.get(m.selectionGroup) ?? { name: m.selectionGroup, adapters: [], optional: true };
    g.adapters.push(name);
    if (m.isDefault && g.default === undefined) g.default = name;
    g.optional = g.default === undefined;
    groups.set(m.selectionGroup, g);
  }
  for (const g of groups.values()) g.adapters.sort(compareStrings);
  return [...groups.values()];
}

/** Every adapter of the workspace providing `capability`, sorted. */
export function providersOf(adapters: ReadonlyMap<string, AdapterManifest>, capability: string): string[] {
  return [...adapters.values()]
    .filter((m) => m.provides.some((p) => p.capability === capability))
    .map((m) => m.name)
    .sort(compareStrings);
}

/** Adapters `name` must come after: its capability providers among `names` and its derived defaults' sources. */
function predecessors(name: string, names: ReadonlySet<string>, adapters: ReadonlyMap<string, AdapterManifest>): Set<string> {
  const m = adapters.get(name)!;
  const out = new Set<string>();
  for (const r of m.requires) for (const p of providersOf(adapters, r.capability)) if (names.has(p)) out.add(p);
  for (const f of fieldsOf(m)) for (const src of defaultFromSources(f.schema[DEFAULT_FROM_KEY])) if (names.has(src)) out.add(src);
  out.delete(name);
  return out;
}

/** `names` with providers and derived-default sources first; ties, and cycles, broken by name. */
export function dependencyOrder(names: readonly string[], adapters: ReadonlyMap<string, AdapterManifest>): string[] {
  const set = new Set(names.filter((n) => adapters.has(n)));
  return topologicalSort(set, (n) => predecessors(n, set, adapters), 'break').order;
}

export interface MissingCapability {
  capability: string;
  /** Adapters of the selection that require it. */
  requiredBy: string[];
  /** Workspace adapters that provide it. */
  candidates: string[];
}

/** Capabilities the selected adapters require and none of them provides. */
export function missingCapabilities(selected: readonly string[], adapters: ReadonlyMap<string, AdapterManifest>): MissingCapability[] {
  const provided = new Set(selected.flatMap((n) => adapters.get(n)?.provides.map((p) => p.capability) ?? []));
  const missing = new Map<string, MissingCapability>();
  for (const n of [...selected].sort(compareStrings)) {
    for (const r of adapters.get(n)?.requires ?? []) {
      if (provided.has(r.capability)) continue;
      const entry = missing.get(r.capability) ?? { capability: r.capability, requiredBy: [], candidates: providersOf(adapters, r.capability) };
      entry.requiredBy.push(n);
      missing.set(r.capability, entry);
    }
  }
  return [...missing.values()];
}

/** The provider to add without asking: the only one, or the only group default among several. */
export function obviousProvider(m: MissingCapability, adapters: ReadonlyMap<string, AdapterManifest>): string | undefined {
  if (m.candidates.length === 1) return m.candidates[0];
  const defaults = m.candidates.filter((c) => adapters.get(c)?.isDefault);
  return defaults.length === 1 ? defaults[0] : undefined;
}
