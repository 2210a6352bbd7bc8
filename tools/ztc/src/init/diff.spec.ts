import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff';
import { keepLineFormatting } from './platform-document';

describe('unifiedDiff', () => {
  it('shows changed lines with two lines of context, and nothing for equal texts', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\ng\n', 'a\nb\nc\nD\ne\nf\ng\n', 'x.yaml')).toBe('--- a/x.yaml\n+++ b/x.yaml\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f');
    expect(unifiedDiff('', 'a\n', 'x.yaml')).toBe('--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1,1 @@\n+a');
    expect(unifiedDiff('same\n', 'same\n', 'x')).toBe('');
  });
});

describe('keepLineFormatting', () => {
  it('keeps original lines that the printer only re-spaced, never a real change', () => {
    const original = 'a: [1, 2]   # note\nb: {x: 1}\nc: 1\n';
    const printed = 'a: [ 1, 2 ] # note\nb: { x: 1 }\nc: 2\n';
    expect(keepLineFormatting(original, printed)).toBe('a: [1, 2]   # note\nb: {x: 1}\nc: 2\n');
    expect(keepLineFormatting('s: "[ a ]"\n', 's: "[a]"\n')).toBe('s: "[a]"\n');
  });
});
