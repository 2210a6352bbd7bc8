/**
 * A unified line diff (`--- a`, `+++ b`, `@@` hunks with 2 lines of context): what init is about to change
 * in platform.yaml, what a fresh render would change in a drifted file (`ztc validate --diff`).
 *
 * The edit script is jsdiff's Myers diff (`diffArrays`, O((n+m)·d) time, linear space) run on the lines
 * that can match at all: the common head and tail are cut first, and a line found on one side only is
 * never part of a common subsequence, so it is set aside (as GNU diff does) and put back as a deletion or
 * insertion. The result is still a shortest edit script; d counts only the edits among lines both sides
 * have, so a drifted file whose changed lines are new text diffs in time linear in its length. When even
 * that d exceeds MAX_EDITS (lines shuffled, not edited), the middle that differs is shown as removed and
 * added whole: a correct diff, not a minimal one, in bounded time.
 */
import { diffArrays } from 'diff';

export type Op = { kind: ' ' | '-' | '+'; line: string };

/** Edits among the lines both sides share beyond which the differing middle is shown whole. */
export const MAX_EDITS = 2000;

export function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** Lines with their `\n`, so a last line without one differs from the same text with one (diff -u's view). */
function terminatedLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Line edits turning `a` into `b` (a shortest edit script; in each run of changes, deletions before insertions). */
export function ops(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const inA = new Set(midA);
  const inB = new Set(midB);
  const keptA: number[] = [];
  const keptB: number[] = [];
  midA.forEach((l, i) => inB.has(l) && keptA.push(i));
  midB.forEach((l, i) => inA.has(l) && keptB.push(i));

  const out: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  let pa = 0;
  let pb = 0;
  /** Deletions of midA[pa, toA), insertions of midB[pb, toB). */
  const changesUpTo = (toA: number, toB: number): void => {
    while (pa < toA) out.push({ kind: '-', line: midA[pa++]! });
    while (pb < toB) out.push({ kind: '+', line: midB[pb++]! });
  };
  const changes =
    keptA.length && keptB.length
      ? diffArrays(
          keptA.map((i) => midA[i]!),
          keptB.map((i) => midB[i]!),
          { maxEditLength: MAX_EDITS },
        )
      : [];
  if (changes) {
    let ia = 0;
    let ib = 0;
    for (const c of changes) {
      if (c.removed) ia += c.count;
      else if (c.added) ib += c.count;
      else {
        for (let k = 0; k < c.count; k++, ia++, ib++) {
          changesUpTo(keptA[ia]!, keptB[ib]!);
          out.push({ kind: ' ', line: midA[pa++]! });
          pb++;
        }
      }
    }
  }
  changesUpTo(midA.length, midB.length);
  for (const line of a.slice(a.length - tail)) out.push({ kind: ' ', line });
  return out;
}

const NO_NEWLINE = '\\ No newline at end of file';

/**
 * '' when equal. A side that is empty is shown as /dev/null when it is `missing` (before: '' means a
 * new file unless told otherwise; after: only when told). A last line without a newline is followed by
 * `\ No newline at end of file`, as diff -u prints it, so a change of only that newline is a hunk too.
 */
export function unifiedDiff(before: string, after: string, name: string, opts: { context?: number; before?: 'missing' | 'empty'; after?: 'missing' | 'empty' } = {}): string {
  if (before === after) return '';
  const context = opts.context ?? 2;
  const all = ops(terminatedLines(before), terminatedLines(after));
  const changed = all.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  // aAt[i], bAt[i]: lines of before / after that come before all[i].
  const aAt = new Array<number>(all.length + 1);
  const bAt = new Array<number>(all.length + 1);
  aAt[0] = bAt[0] = 0;
  all.forEach((o, i) => {
    aAt[i + 1] = aAt[i]! + (o.kind !== '+' ? 1 : 0);
    bAt[i + 1] = bAt[i]! + (o.kind !== '-' ? 1 : 0);
  });
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
    const aLen = aAt[end + 1]! - aAt[start]!;
    const bLen = bAt[end + 1]! - bAt[start]!;
    out.push(`@@ -${aLen ? aAt[start]! + 1 : aAt[start]},${aLen} +${bLen ? bAt[start]! + 1 : bAt[start]},${bLen} @@`);
    for (let i = start; i <= end; i++) {
      const { kind, line } = all[i]!;
      if (line.endsWith('\n')) out.push(`${kind}${line.slice(0, -1)}`);
      else out.push(`${kind}${line}`, NO_NEWLINE);
    }
  }
  return out.join('\n');
}
