import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff';

describe('unifiedDiff', () => {
  it('shows changed lines with two lines of context, and nothing for equal texts', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\ng\n', 'a\nb\nc\nD\ne\nf\ng\n', 'x.yaml')).toBe('--- a/x.yaml\n+++ b/x.yaml\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f');
    expect(unifiedDiff('', 'a\n', 'x.yaml')).toBe('--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1,1 @@\n+a');
    expect(unifiedDiff('same\n', 'same\n', 'x')).toBe('');
    expect(unifiedDiff('a\n', '', 'x', { after: 'missing' })).toBe('--- a/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a');
  });
});
