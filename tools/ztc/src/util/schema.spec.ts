/** Validators remember data they accepted (by content, with its defaults); rejections are checked every time. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compile } from './schema';

describe('compile', () => {
  const schema = () => ({
    type: 'object',
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      size: { type: 'integer', default: 3 },
      nested: { type: 'object', additionalProperties: false, properties: { on: { type: 'boolean', default: true } }, default: {} },
    },
  });

  it('fills in the same defaults, in the same key order, when the data was accepted before', () => {
    const id = randomUUID();
    const first = { id };
    expect(compile(schema())(first)).toBe(true);
    // A new schema object with the same content: the accepted-data cache, not the validator, answers.
    const again = compile(schema());
    const second: Record<string, unknown> = { id };
    expect(again(second)).toBe(true);
    expect(again.errors).toBeNull();
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(second).toEqual({ id, size: 3, nested: { on: true } });
  });

  it('rejects, with errors, every time', () => {
    for (let i = 0; i < 2; i++) {
      const validate = compile(schema());
      expect(validate({ id: randomUUID(), size: 'big' })).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({ instancePath: '/size', keyword: 'type' });
    }
  });
});
