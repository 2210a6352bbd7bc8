/**
 * One Ajv instance for every schema ZTC checks (adapter.yaml, platform.yaml, adapter inputs, capability
 * payloads), and the translation of Ajv errors into `Issue`s a user can act on.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Issue } from '../errors';
import { closest } from './paths';

/** Annotation keywords allowed in adapter `inputs` schemas. */
export const INPUT_KEYWORDS = ['secret', 'prompt', 'env', 'x-deprecated-name'] as const;

let ajv: Ajv | undefined;

export function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    for (const keyword of INPUT_KEYWORDS) ajv.addKeyword({ keyword });
  }
  return ajv;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Compile (once per schema object) and return the validator. */
export function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = getAjv().compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
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
      return { file, path, message: `expected ${String(p.type)}, got ${got}` };
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
