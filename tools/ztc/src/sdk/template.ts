/**
 * Strict `{{ path }}` interpolation for adapter templates and adapter.yaml script contexts. A missing
 * path is an error (the older engine's Jinja default rendered it as an empty string and hid mistakes).
 *
 * `{{ path }}` inserts a scalar as plain text. `{{ path | yaml }}` and `{{ path | json }}` insert the
 * value quoted (JSON, which YAML also reads), so a value such as `hi: there`, `a # b` or a multi-line
 * string stays one value, and lists and mappings can be inserted too.
 */

const EXPR = /\{\{\s*([A-Za-z0-9_.-]+(?:\[\d+\])*(?:\.[A-Za-z0-9_-]+)*)\s*(?:\|\s*([A-Za-z0-9_-]+)\s*)?\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_.-]+(?:\[\d+\])*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}$/;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** Resolve `a.b[0].c` in `vars`; throws TemplateError naming the missing segment. */
export function lookup(vars: unknown, expr: string): unknown {
  let cur: unknown = vars;
  const segments = expr.replace(/\[(\d+)\]/g, '.$1').split('.');
  let walked = '';
  for (const seg of segments) {
    walked = walked ? `${walked}.${seg}` : seg;
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) {
      throw new TemplateError(`"{{ ${expr} }}": "${walked}" is not defined`);
    }
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** Quoting filters: each turns a value into text that a YAML or JSON parser reads back as that value. */
export const FILTERS: Readonly<Record<string, (value: unknown) => string>> = {
  yaml: quoteValue,
  json: quoteValue,
};

/** The value as JSON text: a quoted, escaped string for strings; also valid YAML (flow style). */
export function quoteValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TemplateError(`a ${typeof value} cannot be quoted`);
  return text;
}

/** Interpolate every `{{ path }}` in `text`; values must be scalars unless a filter quotes them. */
export function interpolate(text: string, vars: unknown): string {
  return text.replace(EXPR, (m, expr: string, filter: string | undefined) => {
    if (filter !== undefined) {
      const quote = FILTERS[filter];
      if (!quote) throw new TemplateError(`"${m}": unknown filter "${filter}" (available: ${Object.keys(FILTERS).join(', ')})`);
      return quote(lookup(vars, expr));
    }
    const value = lookup(vars, expr);
    if (value === undefined || (value !== null && typeof value === 'object')) {
      throw new TemplateError(`"{{ ${expr} }}" is ${Array.isArray(value) ? 'a list' : 'a mapping'}; only scalars can be interpolated into text`);
    }
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were refused above
    return String(value);
  });
}

/**
 * Resolve a context value: a string that is exactly one `{{ path }}` keeps the referenced value's type
 * (list, mapping, number); other strings are interpolated; mappings and lists are resolved recursively.
 */
export function resolveValue(value: unknown, vars: unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? structuredClone(lookup(vars, whole[1]!)) : interpolate(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, vars)]));
  }
  return value;
}
