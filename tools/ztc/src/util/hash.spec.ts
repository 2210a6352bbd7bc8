import { describe, expect, it } from 'vitest';
import { canonicalJson, hashFileSet, sha256 } from './hash';

describe('canonical JSON and file-set hashes', () => {
  it('sorts keys at every level, drops undefined, ends with a newline', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('hashes a file set independently of insertion order and unambiguously', () => {
    expect(hashFileSet({ b: '2', a: '1' })).toBe(hashFileSet({ a: '1', b: '2' }));
    expect(hashFileSet({ a: '1', b: '2' })).toBe(sha256('a\u00001\nb\u00002\n'));
    expect(hashFileSet({ ab: 'c' })).not.toBe(hashFileSet({ a: 'bc' }));
  });
});
