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
});
