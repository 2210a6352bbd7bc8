/**
 * An adapter's inputs schema seen field by field, as init needs it: what kind of prompt fits each
 * field, its default, whether it is a secret, and whether a value is valid. Validity is always decided
 * by the adapter's own schema (the same validator render uses), never by a copy of its rules.
 */
import { compileInputs } from '../adapter/read-adapter';
import type { AdapterManifest } from '../adapter/types';
import type { Issue } from '../errors';
import { compile, schemaIssues, type Validator } from '../util/schema';
import { PLATFORM_META_SCHEMA } from './platform-fields';
import { LEGACY_KEY, MULTILINE_KEY, whenOf, type When } from '../adapter/annotations';

export type JsonSchema = Record<string, unknown>;

export type FieldKind = 'enum' | 'boolean' | 'integer' | 'number' | 'string' | 'list' | 'objects' | 'object' | 'const' | 'any';

export interface FieldSpec {
  name: string;
  schema: JsonSchema;
  required: boolean;
  secret: boolean;
  /** Env var a secret is read from at bootstrap. */
  env?: string;
  /** Question text: `prompt`, else `description`, else the field name. */
  prompt: string;
  kind: FieldKind;
  /** `x-ztc-legacy: true`: kept for older platform.yaml files, never asked (annotations.ts). */
  legacy?: boolean;
  /** `x-ztc-when`: asked only when an earlier input has that value. */
  when?: When;
  /** `x-ztc-multiline: true`: a secret of several lines, read from a file or an editor. */
  multiline?: boolean;
}

/** `#/$defs/x`-style references inside the inputs schema, resolved for reading (not for validating). */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let cur = schema;
  for (let i = 0; i < 8 && typeof cur.$ref === 'string' && cur.$ref.startsWith('#/'); i++) {
    let target: unknown = root;
    for (const seg of cur.$ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[seg];
    if (!target || typeof target !== 'object') break;
    cur = { ...(target as JsonSchema), ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== '$ref')) };
  }
  return cur;
}

function mainType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t as string[]).find((x) => x !== 'null');
  return undefined;
}

export function kindOf(schema: JsonSchema, root: JsonSchema = schema): FieldKind {
  const s = deref(schema, root);
  if ('const' in s) return 'const';
  if (Array.isArray(s.enum)) return 'enum';
  switch (mainType(s)) {
    case 'boolean':
    case 'integer':
    case 'number':
    case 'string':
      return mainType(s) as FieldKind;
    case 'array': {
      const items = s.items && typeof s.items === 'object' ? deref(s.items as JsonSchema, root) : {};
      const k = kindOf(items, root);
      if (k === 'object') return 'objects';
      return k === 'any' || k === 'list' || k === 'objects' ? 'any' : 'list';
    }
    case 'object':
      return s.properties ? 'object' : 'any';
    default:
      return 'any';
  }
}

/** The properties of an object schema, in schema order. */
export function propertiesOf(schema: JsonSchema, root: JsonSchema): FieldSpec[] {
  const s = deref(schema, root);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, raw]) => {
    const fs = deref(raw, root);
    return {
      name,
      schema: fs,
      required: required.has(name),
      secret: fs.secret === true,
      env: typeof fs.env === 'string' ? fs.env : undefined,
      prompt: typeof fs.prompt === 'string' ? fs.prompt : typeof fs.description === 'string' ? fs.description : name,
      kind: kindOf(fs, root),
      legacy: fs[LEGACY_KEY] === true,
      when: whenOf(fs),
      multiline: fs[MULTILINE_KEY] === true,
    };
  });
}

export function fieldsOf(m: AdapterManifest): FieldSpec[] {
  return propertiesOf(m.inputs, m.inputs);
}

export function hasDefault(schema: JsonSchema): boolean {
  return 'default' in schema;
}

/**
 * Problems of one field's value, judged by the adapter's whole inputs schema (so `$ref`s and formats
 * work), keeping only the issues at or below that field. `value === undefined` checks presence only.
 */
export function checkFieldValue(m: AdapterManifest, field: string, value: unknown, file: string, prefix: string): Issue[] {
  return checkWith(compileInputs(m), field, value, file, prefix);
}

/** Problems of `platform.<field>` (organization, app_name). */
export function checkPlatformField(field: string, value: unknown, file: string, prefix = 'platform'): Issue[] {
  return checkWith(compile(PLATFORM_META_SCHEMA), field, value, file, prefix);
}

function checkWith(validate: Validator, field: string, value: unknown, file: string, prefix: string): Issue[] {
  const section = value === undefined ? {} : { [field]: structuredClone(value) };
  if (validate(section)) return [];
  const own = (validate.errors ?? []).filter(
    (e) =>
      e.instancePath === `/${field}` ||
      e.instancePath.startsWith(`/${field}/`) ||
      (e.keyword === 'required' && e.instancePath === '' && (e.params as { missingProperty?: string }).missingProperty === field),
  );
  return schemaIssues(own, section, file, prefix);
}

/** The section with the schema's defaults filled in (what render sees), without touching `section`. */
export function withDefaults(m: AdapterManifest, section: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(section);
  compileInputs(m)(copy);
  return copy;
}

/** Deep equality of JSON values (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameValue(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const TRUE = /^(true|yes|y|on|1)$/i;
const FALSE = /^(false|no|n|off|0)$/i;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A value typed as text (`--set`, an env var, a wizard answer) converted to the field's type: numbers
 * and booleans are parsed, a list is comma-separated (or a YAML flow sequence), an object is a YAML flow
 * mapping. Text that does not convert is returned as is, so the schema reports what was expected.
 */
export function coerceText(text: string, schema: JsonSchema, root: JsonSchema = schema): unknown {
  const s = deref(schema, root);
  const kind = kindOf(s, root);
  const t = text.trim();
  switch (kind) {
    case 'boolean':
      return TRUE.test(t) ? true : FALSE.test(t) ? false : text;
    case 'integer':
    case 'number':
      return NUMBER.test(t) ? Number(t) : text;
    case 'enum': {
      const values = s.enum as unknown[];
      if (values.includes(text)) return text;
      const parsed = parseFlow(t);
      return values.some((v) => sameValue(v, parsed)) ? parsed : text;
    }
    case 'list': {
      if (t.startsWith('[')) return parseFlow(t) ?? text;
      const items = deref((s.items ?? {}) as JsonSchema, root);
      return t === '' ? [] : t.split(',').map((x) => coerceText(x.trim(), items, root));
    }
    case 'string':
      return text;
    default:
      return t.startsWith('[') || t.startsWith('{') ? (parseFlow(t) ?? text) : t === '' ? text : (parseFlow(t) ?? text);
  }
}

function parseFlow(text: string): unknown {
  try {
    // Loaded on use: the yaml package is already in memory for every command that gets here.
    const { parse } = require('yaml') as typeof import('yaml');
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A value shown as the text a user would type for it (the inverse of coerceText for lists). */
export function formatText(value: unknown, kind: FieldKind): string {
  if (value === undefined || value === null) return '';
  if (kind === 'list' && Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were handled above
  return String(value);
}
