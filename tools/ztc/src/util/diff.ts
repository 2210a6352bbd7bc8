/**
 * A unified line diff (`--- a`, `+++ b`, `@@` hunks with 2 lines of context): what init is about to change
 * in platform.yaml, what a fresh render would change in a drifted file (`ztc validate --diff`). LCS over
 * lines: the files are small.
 */

export type Op = { kind: ' ' | '-' | '+'; line: string };

export function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** Line edits turning `a` into `b` (longest common subsequence; deletions before insertions). */
export function ops(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ kind: '-', line: a[i++]! });
    else out.push({ kind: '+', line: b[j++]! });
  }
  return out;
}

/**
 * '' when equal. A side that is empty is shown as /dev/null when it is `missing` (before: '' means a
 * new file unless told otherwise; after: only when told).
 */
export function unifiedDiff(before: string, after: string, name: string, opts: { context?: number; before?: 'missing' | 'empty'; after?: 'missing' | 'empty' } = {}): string {
  if (before === after) return '';
  const context = opts.context ?? 2;
  const all = ops(lines(before), lines(after));
  const changed = all.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const beforeMissing = before === '' && opts.before !== 'empty';
  const afterMissing = after === '' && opts.after === 'missing';
  const out = [`--- ${beforeMissing ? '/dev/null' : `a/${name}`}`, `+++ ${afterMissing ? '/dev/null' : `b/${name}`}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]! + context;
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) end = changed[++k]! + context;
    k++;
    end = Math.min(all.length - 1, end);
    const hunk = all.slice(start, end + 1);
    const aStart = all.slice(0, start).filter((o) => o.kind !== '+').length;
    const bStart = all.slice(0, start).filter((o) => o.kind !== '-').length;
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
  }
  return out.join('\n');
}
