/**
 * The `x-ztc-*` annotations of an adapter's inputs that decide which questions `ztc init` asks (besides
 * `x-ztc-default-from`, default-from.ts). Render ignores them: they never change what a value means.
 *
 *   x-ztc-legacy: true                      # kept so older platform.yaml files stay valid; never asked
 *   x-ztc-when: { field: bgp_enabled, equals: true }   # asked only when that earlier input (of the same
 *   x-ztc-when: { field: version, matches: "^v?1\\." }  # adapter, schema default applied) equals the
 *                                                        # value, or as text matches the pattern
 *   x-ztc-multiline: true                   # a secret of several lines (a PEM key): the wizard reads it
 *                                           # from a file or an editor instead of one hidden line
 *
 * A field that is legacy or does not apply is not asked, and its current value (if any) is kept as it is.
 * Both are for optional inputs only: a required input always has to be given.
 */
/** An input's JSON Schema (the same shape init/fields.ts reads). */
type JsonSchema = Record<string, unknown>;

export const LEGACY_KEY = 'x-ztc-legacy';
export const WHEN_KEY = 'x-ztc-when';
export const MULTILINE_KEY = 'x-ztc-multiline';

export type When = { field: string; equals: unknown } | { field: string; matches: string };

/** What is wrong with one input's annotations (`properties` in schema order, `required` its required list). */
export function annotationProblems(field: string, schema: JsonSchema, properties: readonly string[], required: readonly string[]): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const optionalOnly = (key: string) =>
    required.includes(field) && out.push({ key, message: `${key} is for optional inputs; "${field}" is required (remove it from required, or the annotation)` });
  if (LEGACY_KEY in schema) {
    if (schema[LEGACY_KEY] !== true) out.push({ key: LEGACY_KEY, message: `expected true, got ${JSON.stringify(schema[LEGACY_KEY])}` });
    optionalOnly(LEGACY_KEY);
  }
  if (MULTILINE_KEY in schema) {
    if (schema[MULTILINE_KEY] !== true) out.push({ key: MULTILINE_KEY, message: `expected true, got ${JSON.stringify(schema[MULTILINE_KEY])}` });
    if (schema.secret !== true) out.push({ key: MULTILINE_KEY, message: `${MULTILINE_KEY} is for secret inputs (secret: true)` });
  }
  if (WHEN_KEY in schema) {
    const w = schema[WHEN_KEY] as Record<string, unknown> | null;
    const keys = w && typeof w === 'object' && !Array.isArray(w) ? Object.keys(w).sort().join(',') : '';
    if (keys !== 'equals,field' && keys !== 'field,matches') {
      out.push({ key: WHEN_KEY, message: 'expected { field: <earlier input>, equals: <value> } or { field: <earlier input>, matches: <regular expression> }' });
    } else {
      const at = properties.indexOf(String(w!.field));
      if (at < 0 || at >= properties.indexOf(field))
        out.push({ key: WHEN_KEY, message: `field "${String(w!.field)}" is not an input before "${field}" (init asks inputs in schema order)` });
      if ('matches' in w!) {
        try {
          new RegExp(String(w.matches), 'u');
        } catch (e) {
          out.push({ key: WHEN_KEY, message: `matches: not a regular expression (${(e as Error).message})` });
        }
      }
    }
    optionalOnly(WHEN_KEY);
  }
  return out;
}

export function whenOf(schema: JsonSchema): When | undefined {
  const w = schema[WHEN_KEY];
  return w && typeof w === 'object' && !Array.isArray(w) && typeof (w as When).field === 'string' ? (w as When) : undefined;
}

/** Whether a field with `when` applies, given its adapter's values so far (schema defaults applied). */
export function applies(when: When | undefined, values: Record<string, unknown>): boolean {
  if (!when) return true;
  const v = values[when.field];
  if ('equals' in when) return JSON.stringify(v) === JSON.stringify(when.equals);
  return v !== undefined && new RegExp(when.matches, 'u').test(typeof v === 'string' ? v : JSON.stringify(v));
}

/** "bgp_enabled is true", "version matches ^v?1\." — why a field was not asked. */
export function describeWhen(when: When): string {
  return 'equals' in when ? `${when.field} is ${JSON.stringify(when.equals)}` : `${when.field} matches ${when.matches}`;
}
