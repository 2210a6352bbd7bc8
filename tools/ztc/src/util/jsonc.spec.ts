import { describe, expect, it } from 'vitest';
import { parseJsonc } from './jsonc';

describe('parseJsonc', () => {
  it('reads nx.json with comments and trailing commas like Nx does', () => {
    const text = '{\n  // plugins\n  "plugins": [{ "plugin": "@ztc/engine/plugin", /* roots */ "options": { "adaptersRoot": "a//b", }, },],\n  "x": "/* not a comment */",\n}\n';
    expect(parseJsonc(text)).toEqual({ plugins: [{ plugin: '@ztc/engine/plugin', options: { adaptersRoot: 'a//b' } }], x: '/* not a comment */' });
  });

  it('keeps escaped quotes inside strings and fails on real errors', () => {
    expect(parseJsonc('{"a": "q\\"//", "b": 1}')).toEqual({ a: 'q"//', b: 1 });
    expect(() => parseJsonc('{"a": }')).toThrow();
  });

  it('names the line and column of the first error and what was expected there', () => {
    expect(() => parseJsonc('{\n  "plugins": [],\n  "a": }\n')).toThrow('line 3, column 8: a value expected');
    expect(() => parseJsonc('{\n  "a": 1\n  "b": 2\n}')).toThrow('line 3, column 3: a comma expected');
    expect(() => parseJsonc('{ "a": 1 /* open')).toThrow(/line 1, column 10: .*comment/);
    expect(() => parseJsonc('')).toThrow('line 1, column 1: a value expected');
  });
});
