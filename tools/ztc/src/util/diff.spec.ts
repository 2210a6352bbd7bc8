import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, ops, unifiedDiff } from './diff';

/** GNU `diff -u` of the same texts, headers replaced by ours: the format a user compares against. */
function gnuDiff(before: string, after: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-diff-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    let out = '';
    try {
      execFileSync('diff', ['-U2', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    const body = out.split('\n').slice(2).join('\n').replace(/\n$/, '');
    // GNU diff leaves out a length of 1 (`@@ -3 +3 @@`); ours always writes it.
    const hunkHeads = body.replace(
      /^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@/gm,
      (_m, a: string, al: string | undefined, b: string, bl: string | undefined) => `@@ -${a}${al ?? ',1'} +${b}${bl ?? ',1'} @@`,
    );
    return `--- a/${name}\n+++ b/${name}\n${hunkHeads}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('unifiedDiff', () => {
  it('shows changed lines with two lines of context, and nothing for equal texts', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\ng\n', 'a\nb\nc\nD\ne\nf\ng\n', 'x.yaml')).toBe('--- a/x.yaml\n+++ b/x.yaml\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f');
    expect(unifiedDiff('', 'a\n', 'x.yaml')).toBe('--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1,1 @@\n+a');
    expect(unifiedDiff('same\n', 'same\n', 'x')).toBe('');
    expect(unifiedDiff('a\n', '', 'x', { after: 'missing' })).toBe('--- a/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a');
  });

  it('a change of only the final newline is a hunk, marked as diff -u marks it', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', 'x')).toBe('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b');
    expect(unifiedDiff('a\nb\n', 'a\nb', 'x')).toBe('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file');
    expect(unifiedDiff('a\nb', 'a\nb\n', 'x')).toBe(gnuDiff('a\nb', 'a\nb\n', 'x'));
  });

  it('agrees with GNU diff -u on separate and merged hunks, insertions and deletions', () => {
    const base = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const cases: string[][] = [
      base.map((l, i) => (i % 7 === 3 ? `${l} changed` : l)),
      base.filter((_, i) => i < 10 || i > 14),
      [...base.slice(0, 20), 'new a', 'new b', ...base.slice(20)],
      ['head', ...base, 'tail'],
    ];
    for (const after of cases) {
      const a = `${base.join('\n')}\n`;
      const b = `${after.join('\n')}\n`;
      expect(unifiedDiff(a, b, 'f.yaml')).toBe(gnuDiff(a, b, 'f.yaml'));
    }
  });

  it('diffs a 20,000-line file with most lines changed without a table of all line pairs', () => {
    // The former LCS table held (n+1)·(m+1) numbers: 400 million here, gigabytes of memory.
    const a = Array.from({ length: 20_000 }, (_, i) => `key_${i}: ${i}`);
    const b = a.map((l, i) => (i % 3 === 0 ? `${l} # drifted` : l));
    const diff = unifiedDiff(`${a.join('\n')}\n`, `${b.join('\n')}\n`, 'big.yaml');
    expect(diff.split('\n').filter((l) => l.startsWith('-key_')).length).toBe(6667);
    expect(diff.split('\n').filter((l) => l.startsWith('+key_')).length).toBe(6667);
  });

  it('ops keeps the lines both sides share, deletions before insertions', () => {
    expect(ops(lines('a\nb\nc\n'), lines('a\nx\nc\n'))).toEqual([
      { kind: ' ', line: 'a' },
      { kind: '-', line: 'b' },
      { kind: '+', line: 'x' },
      { kind: ' ', line: 'c' },
    ]);
  });
});
