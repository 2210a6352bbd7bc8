/**
 * Where init's values come from, merged by precedence: `--set` > `ZTC_<ADAPTER>_<FIELD>` env vars >
 * the `--answers` file > the existing platform.yaml (CONTRACT §2). Text values (flags, env vars) are
 * typed by the field's schema. Every value keeps its origin, so a problem names the flag, variable or
 * file it came from. Pure: the caller reads the files.
 */
import type { AdapterManifest } from '../adapter/types';
import type { Issue } from '../errors';
import { closest } from '../util/paths';
import { coerceText, fieldsOf, type JsonSchema } from './fields';
import { PLATFORM_FIELDS } from './platform-fields';

export interface Given {
  value: unknown;
  /** Where it came from, as an Issue's `file` (`--set`, `env ZTC_X_Y`, `answers.yaml`, `platforms/p/platform.yaml`). */
  file: string;
  /** Its path there (`hetzner.server_ips`, `adapters.hetzner.server_ips`). */
  path: string;
}

export interface SourceInput {
  /** Adapters of the workspace. */
  catalog: ReadonlyMap<string, AdapterManifest>;
  /** `--set` arguments in order (a later one wins). */
  set: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Parsed answers file and its display name. */
  answers?: { file: string; data: unknown };
  /** Parsed existing platform.yaml and its display name. */
  existing?: { file: string; data: unknown };
}

export interface Sources {
  platform: Map<string, Given>;
  /** adapter → field → the value of highest precedence. */
  adapters: Map<string, Map<string, Given>>;
  /** Adapters an answers file, a `--set` or a ZTC_<ADAPTER>_<FIELD> variable names (init adds them). */
  named: Set<string>;
  /** Adapters of the existing platform.yaml, in file order. */
  existing: string[];
  /** Malformed flags, unknown adapters or fields, secrets where they may not be. */
  issues: Issue[];
}

/** `ZTC_<ADAPTER>_<FIELD>` for an adapter (or `platform`) field: upper case, `-` → `_`. */
export function envName(owner: string, field: string): string {
  return `ZTC_${owner}_${field}`.toUpperCase().replace(/-/g, '_');
}

type Layer = Map<string, Map<string, Given>>;

function put(layer: Layer, owner: string, field: string, given: Given): void {
  if (!layer.has(owner)) layer.set(owner, new Map());
  layer.get(owner)!.set(field, given);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function collectSources(input: SourceInput): Sources {
  const issues: Issue[] = [];
  const named = new Set<string>();
  const known = [...input.catalog.keys()];
  const fieldSchema = (owner: string, field: string): { schema: JsonSchema; root: JsonSchema; secret: boolean } | undefined => {
    if (owner === 'platform') {
      const s = PLATFORM_FIELDS.find((f) => f.name === field);
      return s && { schema: s.schema, root: s.schema, secret: false };
    }
    const m = input.catalog.get(owner);
    const f = m && fieldsOf(m).find((x) => x.name === field);
    return f && { schema: f.schema, root: m.inputs, secret: f.secret };
  };
  const unknownTarget = (file: string, path: string, owner: string, field: string): Issue => {
    if (owner !== 'platform' && !input.catalog.has(owner)) {
      const guess = closest(owner, known);
      return { file, path, message: `unknown adapter "${owner}"`, hint: guess ? `did you mean "${guess}"?` : `adapters in this workspace: ${known.join(', ') || 'none'}` };
    }
    const fields = owner === 'platform' ? PLATFORM_FIELDS.map((f) => f.name) : fieldsOf(input.catalog.get(owner)!).map((f) => f.name);
    const guess = closest(field, fields);
    return {
      file,
      path,
      message: `unknown field "${field}" of ${owner === 'platform' ? 'platform' : `adapter ${owner}`} (fields: ${fields.join(', ') || 'none'})`,
      hint: guess ? `did you mean "${guess}"?` : 'remove it',
    };
  };
  const secretRefused = (file: string, path: string, owner: string, field: string): Issue => ({
    file,
    path,
    message: 'secrets are not taken from flags or files (they would end up in shell history or the repository)',
    hint: `type it into the wizard, or export ${envName(owner, field)} (stored in the secrets file), or export ${String(input.catalog.get(owner) && fieldsOf(input.catalog.get(owner)!).find((f) => f.name === field)?.env)} for bootstrap`,
  });

  // --set adapter.field=value
  const setLayer: Layer = new Map();
  for (const arg of input.set) {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)=([\s\S]*)$/.exec(arg);
    if (!m) {
      issues.push({ file: '--set', path: arg, message: 'expected adapter.field=value (or platform.field=value)', hint: 'e.g. --set hetzner.location=fsn1' });
      continue;
    }
    const [, owner, field, text] = m as unknown as [string, string, string, string];
    const path = `${owner}.${field}`;
    const f = fieldSchema(owner, field);
    if (!f) issues.push(unknownTarget('--set', path, owner, field));
    else if (f.secret) issues.push(secretRefused('--set', path, owner, field));
    else {
      put(setLayer, owner, field, { value: coerceText(text, f.schema, f.root), file: '--set', path });
      if (owner !== 'platform') named.add(owner);
    }
  }

  // ZTC_<ADAPTER>_<FIELD>: only names that map to a field; other ZTC_* variables belong to other features.
  // Like a --set, such a variable names its adapter.
  const envLayer: Layer = new Map();
  const byEnv = new Map<string, [string, string]>();
  for (const f of PLATFORM_FIELDS) byEnv.set(envName('platform', f.name), ['platform', f.name]);
  for (const [name, m] of input.catalog) for (const f of fieldsOf(m)) if (!f.secret) byEnv.set(envName(name, f.name), [name, f.name]);
  for (const [name, text] of Object.entries(input.env)) {
    const target = text !== undefined && byEnv.get(name);
    if (!target) continue;
    const f = fieldSchema(...target)!;
    put(envLayer, target[0], target[1], { value: coerceText(text, f.schema, f.root), file: `env ${name}`, path: `${target[0]}.${target[1]}` });
    if (target[0] !== 'platform') named.add(target[0]);
  }

  const fileLayer = (src: { file: string; data: unknown } | undefined, isAnswers: boolean): { layer: Layer; adapters: string[] } => {
    const layer: Layer = new Map();
    const adapters: string[] = [];
    if (!src) return { layer, adapters };
    if (!isMapping(src.data)) {
      issues.push({ file: src.file, path: '', message: 'expected a mapping with version, platform and adapters', hint: 'see CONTRACT §3 for the shape of platform.yaml' });
      return { layer, adapters };
    }
    // platform.yaml's `state:` (the state backend, docs/operations.md) is kept as it is; init does not set it.
    const allowed = isAnswers ? ['version', 'platform', 'adapters'] : ['version', 'platform', 'adapters', 'state'];
    for (const key of Object.keys(src.data)) {
      if (!allowed.includes(key)) issues.push({ file: src.file, path: key, message: `unknown top-level key "${key}" (allowed: ${allowed.join(', ')})`, hint: 'remove it' });
    }
    const platform = src.data.platform;
    if (isMapping(platform)) {
      for (const [field, value] of Object.entries(platform)) put(layer, 'platform', field, { value, file: src.file, path: `platform.${field}` });
    } else if (platform !== undefined && platform !== null) issues.push({ file: src.file, path: 'platform', message: 'expected a mapping' });
    const sections = src.data.adapters;
    if (sections !== undefined && sections !== null && !isMapping(sections)) {
      issues.push({ file: src.file, path: 'adapters', message: 'expected a mapping of adapter name to settings' });
      return { layer, adapters };
    }
    for (const [name, section] of Object.entries(sections ?? {})) {
      if (!input.catalog.has(name)) {
        issues.push(unknownTarget(src.file, `adapters.${name}`, name, ''));
        continue;
      }
      adapters.push(name);
      if (section === null) continue;
      if (!isMapping(section)) {
        issues.push({ file: src.file, path: `adapters.${name}`, message: 'expected a mapping of field to value' });
        continue;
      }
      const specs = new Map(fieldsOf(input.catalog.get(name)!).map((f) => [f.name, f]));
      for (const [field, value] of Object.entries(section)) {
        const spec = specs.get(field);
        const path = `adapters.${name}.${field}`;
        // Unknown fields of the existing file are the wizard's to fix; secrets there are moved out.
        if (!spec && isAnswers) issues.push(unknownTarget(src.file, path, name, field));
        else if (spec?.secret && isAnswers) issues.push(secretRefused(src.file, path, name, field));
        else put(layer, name, field, { value, file: src.file, path });
      }
    }
    return { layer, adapters };
  };
  const answers = fileLayer(input.answers, true);
  answers.adapters.forEach((a) => named.add(a));
  const existing = fileLayer(input.existing, false);

  const merged: Layer = new Map();
  for (const layer of [existing.layer, answers.layer, envLayer, setLayer]) {
    for (const [owner, fields] of layer) for (const [field, given] of fields) put(merged, owner, field, given);
  }
  const platform = merged.get('platform') ?? new Map<string, Given>();
  merged.delete('platform');
  return { platform, adapters: merged, named, existing: existing.adapters, issues };
}
