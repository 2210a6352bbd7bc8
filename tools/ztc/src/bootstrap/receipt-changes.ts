/**
 * What changed between a step's receipt and the step as rendered now, as a list a person can act on:
 * the script, a library by name, the adapter version, context fields by path (`context.nodes[2]`),
 * rendered files by path, secrets by name (never a value). `ztc plan` prints them under a changed step,
 * `--json` carries them as codes, and a real run says why it runs a step again.
 */
import { canonicalJson, compareStrings, sha256 } from '../util/hash';

export type ChangeKind =
  /** The step's script. */
  | 'script'
  /** A library copied next to the script (the engine's ztc.sh, the adapter's scripts/lib/*.sh). */
  | 'library'
  | 'adapter_version'
  /** A field of the step's resolved context, by path. */
  | 'context'
  /** One of its adapter's rendered files, by path under generated/. */
  | 'file'
  /** A secret the step receives (its keyed digest differs, or it was added or removed). */
  | 'secret'
  /** The digest key is missing from the private dir: the secrets cannot be compared. */
  | 'secret_digest_key'
  /** The receipt was written by an older ztc and lacks what this one compares. */
  | 'receipt';

export interface Change {
  kind: ChangeKind;
  /** What changed: a path, a library or secret name, the adapter version now. */
  name: string;
  change: 'modified' | 'added' | 'removed';
  /** For `adapter_version`: the version the receipt was written for. For a modified `context` leaf holding a short scalar: its value then. */
  from?: string;
  /** For a modified `context` leaf holding a short scalar (a version, a count): its value now. */
  to?: string;
}

/** One line for a person. */
export function describeChange(c: Change): string {
  const how = c.change === 'modified' ? 'changed' : c.change;
  switch (c.kind) {
    case 'script':
      return `script ${c.name} changed`;
    case 'library':
      return `library ${c.name} ${how}`;
    case 'adapter_version':
      return `adapter version ${c.from ?? '?'} -> ${c.name}`;
    case 'context':
      return c.from !== undefined && c.to !== undefined ? `${c.name} ${c.from} -> ${c.to}` : `${c.name} ${how}`;
    case 'file':
      return `rendered file ${c.name} ${how}`;
    case 'secret':
      return `secret ${c.name} ${how}`;
    case 'secret_digest_key':
      return c.change === 'removed'
        ? `secret digest key missing from the private dir (${c.name}): the secrets cannot be compared`
        : `secret digest key ${c.name} is not the one the receipt was written with (another machine's private dir?): the secrets cannot be compared`;
    case 'receipt':
      return c.name;
  }
}

/** Changes of a name → digest map (libraries, files, secrets). */
export function mapChanges(kind: ChangeKind, before: Record<string, string> | undefined, now: Record<string, string>): Change[] {
  const old = before ?? {};
  const out: Change[] = [];
  for (const name of Object.keys(now).sort(compareStrings)) {
    if (!(name in old)) out.push({ kind, name, change: 'added' });
    else if (old[name] !== now[name]) out.push({ kind, name, change: 'modified' });
  }
  for (const name of Object.keys(old).sort(compareStrings)) if (!(name in now)) out.push({ kind, name, change: 'removed' });
  return out;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const SEGMENT = /\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]/g;

/**
 * The step's context as leaf path → sha256 of the leaf's canonical JSON (an empty object or array is a
 * leaf). Context is never secret (bootstrap refuses a secret value in it), so neither are these.
 */
export function contextDigests(context: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v) && v.length > 0) v.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
      for (const [k, item] of Object.entries(v)) if (item !== undefined) walk(item, `${path}${IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`);
    } else out[path] = sha256(canonicalJson(v));
  };
  walk(context, 'context');
  return out;
}

/** Longest scalar a receipt keeps as text, so plan can say `context.talos_version v1.11.5 -> v1.11.6`. */
const SHOWN_VALUE_MAX = 64;

/**
 * The step's short scalar context leaves (strings, numbers, booleans up to 64 characters) as path → text: what
 * plan shows for a changed leaf. Context is never secret (bootstrap refuses a secret value in it before a step runs).
 */
export function contextValues(context: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) if (item !== undefined) walk(item, `${path}${IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`);
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const text = String(v);
      if (text.length <= SHOWN_VALUE_MAX && !/[\r\n]/.test(text)) out[path] = text;
    }
  };
  walk(context, 'context');
  return out;
}

/** `context.a[1].b` → [`context.a`, `context.a[1]`, `context.a[1].b`]. */
function prefixes(path: string): string[] {
  const out: string[] = [];
  let acc = 'context';
  for (const m of path.slice('context'.length).matchAll(SEGMENT)) out.push((acc += m[0]));
  return out;
}

/** Whether a value exists at `path` (as a leaf or above one) in a leaf map. */
function present(leaves: Record<string, string>, path: string): boolean {
  if (path in leaves) return true;
  return Object.keys(leaves).some((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
}

/**
 * Context changes by path: a changed leaf by its own path; an added or removed subtree by its top
 * (a new node is `context.nodes[3] added`, not one line per field of it).
 */
export function contextChanges(before: Record<string, string>, now: Record<string, string>): Change[] {
  const found = new Map<string, Change>();
  const add = (c: Change) => found.set(`${c.change}\0${c.name}`, c);
  const top = (path: string, other: Record<string, string>) => prefixes(path).find((p) => !present(other, p)) ?? path;
  for (const [path, digest] of Object.entries(now)) {
    if (!(path in before)) add({ kind: 'context', name: top(path, before), change: 'added' });
    else if (before[path] !== digest) add({ kind: 'context', name: path, change: 'modified' });
  }
  for (const path of Object.keys(before)) if (!(path in now)) add({ kind: 'context', name: top(path, now), change: 'removed' });
  return [...found.values()].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.change, b.change));
}
