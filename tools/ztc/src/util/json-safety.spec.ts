import { describe, expect, it } from 'vitest';
import { jsonProblem } from './json-safety';

describe('jsonProblem', () => {
  it('accepts plain JSON data, including members that are undefined', () => {
    expect(jsonProblem({ a: [1, 'x', true, null, { b: 2.5 }], c: undefined })).toBeUndefined();
  });

  it.each([
    [{ a: { b: Number.NaN } }, 'a.b: NaN cannot be written as JSON'],
    [{ list: [1, Infinity] }, 'list[1]: Infinity cannot be written as JSON'],
    [{ when: new Date(0) }, 'when: Date is not plain JSON data'],
    [{ f: () => 1 }, 'f: a function is not JSON data'],
    [{ xs: [undefined] }, 'xs[0]: undefined in a list'],
    [{ m: new Map() }, 'm: Map is not plain JSON data'],
  ])('names the path of a value JSON would change: %j', (value, message) => {
    expect(jsonProblem(value)).toBe(message);
  });
});
