/**
 * Capability resolution: which adapter provides each capability a platform's adapters require, and a
 * deterministic render order (util/topo-sort: ties broken by adapter name, never by file order).
 */
import type { AdapterManifest } from '../adapter/types';
import { ConfigError, type Issue } from '../errors';
import { compareStrings } from '../util/hash';
import { topologicalSort } from '../util/topo-sort';

/** semver's range check, loaded when a range is first checked (the whole package is 45 modules). */
const satisfies = (version: string, range: string): boolean => (require('semver/functions/satisfies') as typeof import('semver/functions/satisfies'))(version, range);

export interface Resolution {
  /** Adapter names in render order. */
  order: string[];
  /** capability → providing adapter. */
  providers: Map<string, string>;
  /** adapter → names of the adapters it depends on (its providers), sorted. */
  dependsOn: Map<string, string[]>;
}

export interface ResolveOptions {
  /** File to name in errors (the platform.yaml). */
  file: string;
  /** Lazily lists every workspace adapter providing a capability, for "missing capability" hints. */
  candidatesFor?: (capability: string) => string[];
}

export function resolve(adapters: ReadonlyMap<string, AdapterManifest>, opts: ResolveOptions): Resolution {
  const issues: Issue[] = [];
  const providers = new Map<string, string>();
  const names = [...adapters.keys()].sort(compareStrings);
  for (const name of names) {
    for (const p of adapters.get(name)!.provides) {
      const other = providers.get(p.capability);
      if (other) {
        issues.push({
          file: opts.file,
          path: `adapters.${name}`,
          message: `capability "${p.capability}" is provided by both "${other}" and "${name}"`,
          hint: 'keep only one of them in the platform',
        });
      } else providers.set(p.capability, name);
    }
  }
  const dependsOn = new Map<string, string[]>();
  for (const name of names) {
    const deps = new Set<string>();
    for (const r of adapters.get(name)!.requires) {
      const provider = providers.get(r.capability);
      if (!provider) {
        const candidates = opts.candidatesFor?.(r.capability) ?? [];
        issues.push({
          file: opts.file,
          path: `adapters.${name}`,
          message: `adapter "${name}" requires capability "${r.capability}" but no adapter in the platform provides it`,
          hint: candidates.length
            ? `add one of these adapters to the platform: ${candidates.join(', ')}`
            : `no adapter in the workspace provides "${r.capability}"; write one (see docs/adapters.md)`,
        });
        continue;
      }
      const provided = adapters.get(provider)!.provides.find((p) => p.capability === r.capability)!;
      if (r.range && !satisfies(provided.version, r.range)) {
        issues.push({
          file: opts.file,
          path: `adapters.${name}`,
          message: `adapter "${name}" requires "${r.capability}" ${r.range}, but "${provider}" provides version ${provided.version}`,
          hint: `use a version of "${provider}" whose contract satisfies ${r.range}, or relax the range in adapters/${name}/adapter.yaml`,
        });
      }
      deps.add(provider);
    }
    dependsOn.set(name, [...deps].sort(compareStrings));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { order: topoSort(names, dependsOn, opts.file), providers, dependsOn };
}

function topoSort(names: string[], dependsOn: Map<string, string[]>, file: string): string[] {
  const { order, stuck } = topologicalSort(names, (n) => dependsOn.get(n) ?? [], 'stop');
  if (stuck.size > 0) {
    const cycle = findCycle(stuck);
    throw ConfigError.one({
      file,
      path: 'adapters',
      message: `capability cycle: ${cycle.join(' -> ')}`,
      hint: 'an adapter cannot (indirectly) require a capability it provides; break the cycle in one adapter.yaml',
    });
  }
  return order;
}

/** A cycle among the stuck adapters, as a closed path starting at its smallest name. */
function findCycle(stuck: Map<string, Set<string>>): string[] {
  const start = [...stuck.keys()].sort(compareStrings)[0]!;
  const path: string[] = [];
  const index = new Map<string, number>();
  let cur = start;
  while (!index.has(cur)) {
    index.set(cur, path.length);
    path.push(cur);
    cur = [...stuck.get(cur)!].filter((d) => stuck.has(d)).sort(compareStrings)[0]!;
  }
  const cycle = path.slice(index.get(cur));
  return [...cycle, cur];
}
