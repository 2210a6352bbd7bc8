/**
 * Loading the vendored upstream schemas (see README.md) as validators. Shared by the fidelity tests of
 * rendered output and by the simulated datacenter, so both check against the same files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const UPSTREAM_DIR = __dirname;

export function upstreamFile(rel: string): string {
  return readFileSync(join(UPSTREAM_DIR, rel), 'utf8');
}

export function upstreamYaml<T = unknown>(rel: string): T {
  return parse(upstreamFile(rel)) as T;
}

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for a vendored JSON Schema, or for one of its `$defs` (`def`). Draft 2020-12 schemas
 * (Talos) and draft-07 schemas (Helm charts) are both supported; formats are checked.
 */
export function upstreamValidator(rel: string, def?: string): ValidateFunction {
  const key = `${rel}#${def ?? ''}`;
  let validate = cache.get(key);
  if (!validate) {
    const schema = JSON.parse(upstreamFile(rel)) as { $schema?: string; $id?: string };
    const ajv = schema.$schema?.includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    if (def) {
      ajv.addSchema(schema);
      validate = ajv.compile({ $ref: `${schema.$id}#/$defs/${def}` });
    } else {
      validate = ajv.compile(schema);
    }
    cache.set(key, validate);
  }
  return validate;
}

/** `path: message` lines for a failed validation. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}
