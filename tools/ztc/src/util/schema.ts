/**
 * One Ajv instance for every schema ZTC checks (adapter.yaml, platform.yaml, adapter inputs, capability
 * payloads), and the translation of Ajv errors into `Issue`s a user can act on.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CACHE_ROOT } from '../constants';
import type { Issue } from '../errors';
import { sha256 } from './hash';
import { closest } from './paths';

/** Annotation keywords allowed in adapter `inputs` schemas. */
export const INPUT_KEYWORDS = ['secret', 'prompt', 'env', 'x-deprecated-name', 'x-ztc-default-from'] as const;

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

const compiled = new WeakMap<object, ValidateFunction>();
/** Bump when the Ajv options above change: it is part of every cache key. */
const VALIDATOR_CACHE_VERSION = `ajv-${(require('ajv/package.json') as { version: string }).version}-2`;
const VALIDATOR_CACHE_DIR = join(CACHE_ROOT, 'ztc-ajv');

/**
 * Compile (once per schema object) and return the validator. Compiling with Ajv costs ~100 ms per
 * process for our schemas, so compiled validators are kept as standalone modules in a cache keyed by
 * the schema's content; a warm start loads them without Ajv at all.
 */
export function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const file = join(VALIDATOR_CACHE_DIR, `${sha256(`${VALIDATOR_CACHE_VERSION}\0${JSON.stringify(schema)}`)}.js`);
    try {
      fn = require(file) as ValidateFunction;
    } catch {
      fn = getAjv().compile(schema);
      storeValidator(file, fn);
    }
    compiled.set(schema, fn);
  }
  return fn;
}

function storeValidator(file: string, fn: ValidateFunction): void {
  try {
    const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
    const code = standaloneCode(getAjv(), fn);
    mkdirSync(VALIDATOR_CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
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
export function schemaIssues(
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  file: string,
  prefix: string,
): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  // oneOf/anyOf produce one error per branch plus a summary; keep the summary only.
  const branchPaths = new Set(
    (errors ?? []).filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath),
  );
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
    case 'pattern':
      return { file, path, message: `must match pattern ${String(p.pattern)}, got ${got}` };
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
