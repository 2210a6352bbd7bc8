/**
 * Render results cross task boundaries as JSON. A value JSON cannot carry (NaN, Infinity, a Date, a
 * function, a Map…) would silently change on the way and make `nx run <p>:render` differ from
 * `ztc render`, so it is an error instead. `undefined` members are fine: JSON drops them, like YAML.
 */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** JSON path of the first value that does not survive a JSON round trip, or undefined. */
export function jsonProblem(value: unknown, path = ''): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path || '(root)'}: ${value} cannot be written as JSON`;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const p = value[i] === undefined ? `${path}[${i}]: undefined in a list` : jsonProblem(value[i], `${path}[${i}]`);
          if (p) return p;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return `${path || '(root)'}: ${value.constructor?.name ?? 'object'} is not plain JSON data`;
      for (const [k, v] of Object.entries(value)) {
        const p = jsonProblem(v, path ? `${path}.${k}` : k);
        if (p) return p;
      }
      return undefined;
    }
    default:
      return `${path || '(root)'}: a ${typeof value} is not JSON data`;
  }
}
