/** parseYaml remembers what parsed (content-cache.ts); problems are found, and reported, every time. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { parseYaml } from './yaml';

const parse = (text: string): unknown => parseYaml({ file: 'x.yaml', text });

describe('parseYaml', () => {
  it('gives the same value from the cache, as a copy of its own', () => {
    const text = `id: ${randomUUID()}\nlist: [1, two, { three: 3.5 }]\nflag: true\nnothing: null\n`;
    const first = parse(text) as Record<string, unknown>;
    const second = parse(text) as Record<string, unknown>;
    expect(second).toEqual(first);
    (second.list as unknown[]).push('changed');
    expect(parse(text)).toEqual(first);
  });

  it('keeps values JSON cannot carry exactly (.inf, .nan, -0)', () => {
    const text = `# ${randomUUID()}\nup: .inf\nnot: .nan\nzero: -0\n`;
    for (let i = 0; i < 2; i++) {
      const v = parse(text) as Record<string, number>;
      expect(v.up).toBe(Infinity);
      expect(v.not).toBeNaN();
      expect(Object.is(v.zero, -0)).toBe(true);
    }
  });

  it('reports a problem each time, never from the cache', () => {
    const text = `# ${randomUUID()}\na: 1\na: 2\n`;
    for (let i = 0; i < 2; i++) {
      expect(() => parse(text)).toThrow(ConfigError);
      expect(() => parse(text)).toThrow(/duplicate key/);
    }
  });
});
