/**
 * `x-ztc-default-from`: an input's default that follows from another adapter's input (Talos nodes from
 * Hetzner's server IPs, Argo CD's repository URL from GitHub's). init evaluates it with the values
 * collected so far; render never does, so a derived value that is accepted is written to platform.yaml.
 *
 *   x-ztc-default-from: github.repo_url                   # the value itself (any type)
 *   x-ztc-default-from: { value: "{{ github.repo_url }}.git" }  # a template: strings interpolate, a
 *                                                          # string that is one {{ ref }} keeps its type
 *   x-ztc-default-from:                                    # one list item per element of a list
 *     each: hetzner.server_ips                             #   the list to walk
 *     value: { name: "worker-{{ index }}", ip: "{{ item }}", role: worker }  # item, index (0-based), number (1-based)
 *     first: { name: cp-1, role: controlplane }            #   merged over the first item
 *
 * References are `<adapter>.<field>[.<sub>…]` (the adapter's value with its schema defaults applied) or
 * `platform.<field>`. When a reference is not known (adapter not chosen, field not set), nothing is
 * offered: the field falls back to its schema default or is asked without one.
 */
import { lookup, resolveValue } from '../sdk/template';

export type DefaultFrom = string | { value?: unknown; each?: string; first?: Record<string, unknown> };

export const DEFAULT_FROM_KEY = 'x-ztc-default-from';
const REF = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

/** What an adapter.yaml may write under `x-ztc-default-from` (checked when the adapter is read). */
export function defaultFromProblem(spec: unknown): string | undefined {
  if (typeof spec === 'string') return REF.test(spec) ? undefined : `"${spec}" is not a reference <adapter>.<field> (or platform.<field>)`;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return 'expected a reference "<adapter>.<field>" or a mapping {value, each?, first?}';
  const keys = Object.keys(spec);
  const unknown = keys.filter((k) => !['value', 'each', 'first'].includes(k));
  if (unknown.length) return `unknown key(s) ${unknown.join(', ')} (allowed: value, each, first)`;
  const s = spec as { value?: unknown; each?: unknown; first?: unknown };
  if (!('value' in s)) return 'missing "value"';
  if (s.each !== undefined && (typeof s.each !== 'string' || !REF.test(s.each))) return '"each" must be a reference <adapter>.<field>';
  if (s.first !== undefined && (s.each === undefined || !s.first || typeof s.first !== 'object' || Array.isArray(s.first))) return '"first" needs "each" and must be a mapping';
  return undefined;
}

/** Adapters a spec reads from (for ordering: they are collected first). */
export function defaultFromSources(spec: unknown): string[] {
  const refs = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (REF.test(v)) refs.add(v.split('.')[0]!);
      for (const m of v.matchAll(/\{\{\s*([A-Za-z0-9_-]+)\./g)) refs.add(m[1]!);
    } else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(spec);
  return [...refs].filter((r) => r !== 'platform' && r !== 'item');
}

/**
 * The derived default, or undefined when a reference is not known yet.
 * @param known `{ platform: {...}, <adapter>: {...section with defaults} }`
 */
export function deriveDefault(spec: unknown, known: Record<string, unknown>): unknown {
  try {
    if (typeof spec === 'string') return structuredClone(lookup(known, spec));
    const s = spec as Exclude<DefaultFrom, string>;
    if (s.each === undefined) return resolveValue(s.value, known);
    const list = lookup(known, s.each);
    if (!Array.isArray(list)) return undefined;
    return (list as unknown[]).map((item, index) => {
      const vars = { ...known, item, index, number: index + 1 };
      const value = resolveValue(s.value, vars);
      if (index > 0 || !s.first) return value;
      return { ...(value as Record<string, unknown>), ...(resolveValue(s.first, vars) as Record<string, unknown>) };
    });
  } catch {
    return undefined;
  }
}
