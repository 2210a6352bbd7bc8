import { describe, expect, it } from 'vitest';
import { jsonExact } from './json-safety';

describe('jsonExact: values JSON carries exactly (the only ones content caches store as JSON)', () => {
  it.each([
    ['strings, finite numbers, booleans, null', { a: 's', b: 1.5, c: true, d: null, e: [1, 'x', [false]] }, true],
    ['NaN', { a: Number.NaN }, false],
    ['Infinity', [Infinity], false],
    ['-0 (JSON writes 0)', { a: -0 }, false],
    ['an undefined member', { a: undefined }, false],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
    ['a hole in a list', [1, , 3], false],
    ['a __proto__ key', JSON.parse('{"__proto__": {"x": 1}}') as unknown, false],
    ['a Date', { at: new Date(0) }, false],
    ['a Map', new Map(), false],
    ['a function', { f: () => 1 }, false],
  ])('%s', (_what, value, exact) => {
    expect(jsonExact(value)).toBe(exact);
  });

  it('allows undefined object members when asked (JSON and YAML both leave them out)', () => {
    expect(jsonExact({ a: 1, b: undefined }, true)).toBe(true);
    expect(jsonExact([undefined], true)).toBe(false);
  });
});
