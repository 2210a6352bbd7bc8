import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolate, resolveValue, TemplateError } from './template';

describe('templates', () => {
  it('interpolates dotted and indexed paths', () => {
    expect(interpolate('a={{ x.y }} b={{list[1]}}', { x: { y: 1 }, list: ['p', 'q'] })).toBe('a=1 b=q');
  });

  it('refuses an undefined path instead of rendering an empty string', () => {
    expect(() => interpolate('{{ x.z }}', { x: { y: 1 } })).toThrow(new TemplateError('"{{ x.z }}": "x.z" is not defined'));
  });

  it('refuses to interpolate a mapping into text', () => {
    expect(() => interpolate('v: {{ x }}', { x: { y: 1 } })).toThrow(/only scalars/);
  });

  it('quotes a value with the yaml and json filters, so text such as "hi: there" stays one value', () => {
    const vars = { greeting: 'hi: there', n: 3, list: ['a', 'b # c'], quote: 'say "x"\nnext' };
    expect(interpolate('g: {{ greeting | yaml }}', vars)).toBe('g: "hi: there"');
    expect(interpolate('{"n": {{ n|json }}, "l": {{ list | json }}, "q": {{ quote | json }}}', vars)).toBe('{"n": 3, "l": ["a","b # c"], "q": "say \\"x\\"\\nnext"}');
    expect(parse(interpolate('l: {{ list | yaml }}\nq: {{ quote | yaml }}\n', vars))).toEqual({ l: ['a', 'b # c'], q: 'say "x"\nnext' });
  });

  it('refuses an unknown filter', () => {
    expect(() => interpolate('{{ x | upper }}', { x: 'a' })).toThrow(new TemplateError('"{{ x | upper }}": unknown filter "upper" (available: yaml, json)'));
  });

  it('keeps the type of a value referenced alone, and recurses into mappings and lists', () => {
    const vars = { config: { nodes: [{ ip: '1.2.3.4' }], replicas: 3 } };
    expect(resolveValue({ n: '{{ config.nodes }}', r: '{{config.replicas}}', s: ['x-{{ config.replicas }}'] }, vars)).toEqual({
      n: [{ ip: '1.2.3.4' }],
      r: 3,
      s: ['x-3'],
    });
  });
});
