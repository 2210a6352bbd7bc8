/**
 * Which values survive a JSON round trip. Render results cross task boundaries as JSON: a value JSON
 * cannot carry (NaN, Infinity, a Date, a function, a Map…) would silently change on the way and make
 * `nx run <p>:render` differ from `ztc render`, so it is an error instead (`jsonProblem`; `undefined`
 * members are fine: JSON drops them, like YAML). The start-up caches store values as JSON and need the
 * round trip to be exact (`jsonExact`: also no -0, no holes, no `__proto__` key).
 */
function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface Rules {
  /** -0, list holes and `__proto__` keys are problems too (they do not come back as they were). */
  exact: boolean;
  /** Object members that are undefined are allowed (JSON drops them). */
  undefinedMembers: boolean;
}

const at = (path: string): string => path || '(root)';

function problem(value: unknown, path: string, rules: Rules): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return `${at(path)}: ${value} cannot be written as JSON`;
      return rules.exact && Object.is(value, -0) ? `${at(path)}: -0 comes back as 0` : undefined;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (rules.exact && !(i in value)) return `${path}[${i}]: a hole in a list`;
          const p = value[i] === undefined ? `${path}[${i}]: undefined in a list` : problem(value[i], `${path}[${i}]`, rules);
          if (p) return p;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return `${at(path)}: ${value.constructor?.name ?? 'object'} is not plain JSON data`;
      for (const [k, v] of Object.entries(value)) {
        const member = path ? `${path}.${k}` : k;
        if (rules.exact && k === '__proto__') return `${member}: a "__proto__" key`;
        const p = v === undefined ? (rules.undefinedMembers ? undefined : `${member}: undefined`) : problem(v, member, rules);
        if (p) return p;
      }
      return undefined;
    }
    case 'undefined':
      return rules.undefinedMembers ? undefined : `${at(path)}: undefined`;
    default:
      return `${at(path)}: a ${typeof value} is not JSON data`;
  }
}

/** JSON path of the first value that does not survive a JSON round trip, or undefined. */
export function jsonProblem(value: unknown, path = ''): string | undefined {
  return problem(value, path, { exact: false, undefinedMembers: true });
}

/**
 * Whether JSON.parse(JSON.stringify(value)) is `value` exactly: strings, finite numbers other than -0,
 * booleans, null, dense lists and plain objects (no `__proto__` key, no undefined members). Only such
 * values may be cached as JSON. With `undefinedMembers`, object members that are undefined are allowed
 * too (JSON drops them, as YAML serialization does), for JSON used as the key of such a value.
 */
export function jsonExact(value: unknown, undefinedMembers = false): boolean {
  return value !== undefined && problem(value, '', { exact: true, undefinedMembers }) === undefined;
}
