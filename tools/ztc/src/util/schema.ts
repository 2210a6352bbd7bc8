/**
 * One Ajv instance for every schema ZTC checks (adapter.yaml, platform.yaml, adapter inputs, capability
 * payloads), and the translation of Ajv errors into `Issue`s a user can act on.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ENGINE_ROOT } from '../constants';
import type { Issue } from '../errors';
import { ContentCache, currentCache } from './content-cache';
import { jsonExact } from './json-safety';
import { sha256 } from './hash';
import { closest } from './paths';

/** Annotation keywords allowed in adapter `inputs` schemas. */
export const INPUT_KEYWORDS = ['secret', 'prompt', 'env', 'x-deprecated-name', 'x-ztc-default-from', 'x-ztc-legacy', 'x-ztc-when', 'x-ztc-multiline', 'x-ztc-expected'] as const;

let ajv: Ajv | undefined;

/** The Ajv instance, loaded lazily: a warm start never needs it (see compile). */
export function getAjv(): Ajv {
  if (!ajv) {
    const AjvClass = (require('ajv') as typeof import('ajv')).default;
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    const { _ } = require('ajv/dist/compile/codegen') as typeof import('ajv/dist/compile/codegen');
    ajv = new AjvClass({
      allErrors: true,
      useDefaults: true,
      strict: true,
      allowUnionTypes: true,
      verbose: true,
      // Standalone validators (see compile) load formats from ajv-formats instead of inlining them.
      code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
    });
    addFormats(ajv);
    for (const keyword of INPUT_KEYWORDS) ajv.addKeyword({ keyword });
  }
  return ajv;
}

/**
 * A compiled schema: true when `data` is valid (defaults filled in, in place, as Ajv's `useDefaults`
 * does); `errors` holds Ajv's errors after a false.
 */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const compiled = new WeakMap<object, Validator>();
/** Bump when the Ajv options above change: it is part of every cache key. */
const VALIDATOR_CACHE_VERSION = `ajv-${(require('ajv/package.json') as { version: string }).version}-2`;
/** The cache kind of compiled validators: standalone modules named `<sha256>.js` (util/content-cache.ts). */
const VALIDATOR_KIND = 'ajv';
/** Data a schema accepted, by schema and data: the data with its defaults filled in. */
const accepted = new ContentCache('valid', `${VALIDATOR_CACHE_VERSION}-accepted-1`);
/** The standalone validators require Ajv's runtime and ajv-formats: resolved from the engine, wherever the cache is. */
const engineRequire = createRequire(join(ENGINE_ROOT, 'package.json'));

/**
 * Compile (once per schema object) and return the validator. Compiling with Ajv costs ~100 ms per
 * process for our schemas, so compiled validators are kept as standalone modules in a cache keyed by
 * the schema's content; a warm start loads them without Ajv at all. Data a schema accepted is
 * remembered too (by content, with the defaults it got), so checking unchanged files loads no
 * validator at all; anything a schema rejects is checked, and reported, every time.
 */
export function compile(schema: object): Validator {
  let validator = compiled.get(schema);
  if (!validator) {
    const key = sha256(`${VALIDATOR_CACHE_VERSION}\0${JSON.stringify(schema)}`);
    const file = `${key}.js`;
    // A stored validator means the schema compiled before; otherwise compile now (throws if it is invalid).
    const stored = currentCache().get(VALIDATOR_KIND, file);
    let fn = stored === undefined ? compileAndStore(schema, file) : undefined;
    const load = (): ValidateFunction => {
      if (!fn) {
        try {
          fn = loadValidator(file, stored!);
        } catch {
          fn = compileAndStore(schema, file);
        }
      }
      return fn;
    };
    validator = withAcceptedCache(key, load);
    compiled.set(schema, validator);
  }
  return validator;
}

function withAcceptedCache(schemaKey: string, load: () => ValidateFunction): Validator {
  const validate: Validator = (data) => {
    const input = jsonExact(data) ? `${schemaKey}\0${JSON.stringify(data)}` : undefined;
    const hit = input === undefined ? undefined : accepted.get(input);
    if (hit !== undefined) {
      fillIn(data, JSON.parse(hit));
      validate.errors = null;
      return true;
    }
    const fn = load();
    const ok = fn(data);
    validate.errors = fn.errors;
    if (ok && input !== undefined && jsonExact(data)) accepted.set(input, JSON.stringify(data));
    return ok;
  };
  return validate;
}

/** Give `target` what `validated` (the same data after validation) has in addition: the defaults. */
function fillIn(target: unknown, validated: unknown): void {
  if (!target || typeof target !== 'object' || !validated || typeof validated !== 'object') return;
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(validated)) {
    if (Object.prototype.hasOwnProperty.call(t, key)) fillIn(t[key], value);
    else t[key] = value;
  }
}

function compileAndStore(schema: object, file: string): ValidateFunction {
  const fn = getAjv().compile(schema);
  storeValidator(file, fn);
  return fn;
}

const loaded = new Map<string, ValidateFunction>();

/** A stored standalone validator (once per process), its `require`s resolved from the engine package. */
function loadValidator(file: string, code: string): ValidateFunction {
  let fn = loaded.get(file);
  if (!fn) {
    const module = { exports: {} as unknown };
    const body = compileFunction(code, ['exports', 'require', 'module'], { filename: `ztc-${VALIDATOR_KIND}/${file}` }) as (
      exports: unknown,
      require: NodeJS.Require,
      module: { exports: unknown },
    ) => void;
    body(module.exports, engineRequire, module);
    fn = module.exports as ValidateFunction;
    loaded.set(file, fn);
  }
  return fn;
}

function storeValidator(file: string, fn: ValidateFunction): void {
  try {
    const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
    currentCache().set(VALIDATOR_KIND, file, standaloneCode(getAjv(), fn));
  } catch {
    /* an unwritable cache only costs speed */
  }
}

/** `/adapters/talos/nodes/0` → `adapters.talos.nodes[0]` (prefix joined). */
export function jsonPath(prefix: string, instancePath: string): string {
  let out = prefix;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let cur: unknown = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return cur;
}

/** Turn Ajv errors into issues: one per problem, with the field path, the expectation and a fix. */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined, data: unknown, file: string, prefix: string): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  // oneOf/anyOf produce one error per branch plus a summary; keep the summary only.
  const branchPaths = new Set((errors ?? []).filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const err of errors ?? []) {
    if (err.keyword !== 'oneOf' && err.keyword !== 'anyOf' && branchPaths.has(err.instancePath)) continue;
    const issue = toIssue(err, data, file, prefix);
    const key = `${issue.path}\0${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function toIssue(err: ErrorObject, data: unknown, file: string, prefix: string): Issue {
  const path = jsonPath(prefix, err.instancePath);
  const got = describe(valueAt(data, err.instancePath));
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const allowed = Object.keys((err.parentSchema?.properties as object | undefined) ?? {});
      const guess = closest(field, allowed);
      return {
        file,
        path: jsonPath(path, `/${field}`),
        message: `unknown field "${field}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        hint: guess ? `did you mean "${guess}"?` : 'remove the field',
      };
    }
    case 'required':
      return {
        file,
        path: jsonPath(path, `/${String(p.missingProperty)}`),
        message: 'missing required field',
        hint: `add "${String(p.missingProperty)}"`,
      };
    case 'type':
      return { file, path, message: `expected ${String(p.type).split(',').join(' or ')}, got ${got}` };
    case 'pattern': {
      // `x-ztc-expected` says in words what a pattern wants (a PEM key rather than its regular expression).
      const expected: unknown = err.parentSchema?.['x-ztc-expected'];
      return { file, path, message: `must ${typeof expected === 'string' ? `be ${expected}` : `match pattern ${String(p.pattern)}`}, got ${got}` };
    }
    case 'enum':
      return {
        file,
        path,
        message: `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}; got ${got}`,
      };
    case 'const':
      return { file, path, message: `must be ${JSON.stringify(p.allowedValue)}, got ${got}` };
    case 'oneOf':
    case 'anyOf':
      return { file, path, message: `does not match any allowed form, got ${got}` };
    default:
      return { file, path, message: `${err.message ?? err.keyword}, got ${got}` };
  }
}
