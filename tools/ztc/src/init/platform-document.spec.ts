import { describe, expect, it } from 'vitest';
import { keepLineFormatting } from './platform-document';

describe('keepLineFormatting', () => {
  it('keeps original lines that the printer only re-spaced, never a real change', () => {
    const original = 'a: [1, 2]   # note\nb: {x: 1}\nc: 1\n';
    const printed = 'a: [ 1, 2 ] # note\nb: { x: 1 }\nc: 2\n';
    expect(keepLineFormatting(original, printed)).toBe('a: [1, 2]   # note\nb: {x: 1}\nc: 2\n');
    expect(keepLineFormatting('s: "[ a ]"\n', 's: "[a]"\n')).toBe('s: "[a]"\n');
  });
});
