/** Workspace-relative path helpers: every path ZTC prints or stores is POSIX and relative to the root. */
import { posix, relative, sep } from 'node:path';

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: never in a path. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Longest file or folder name common file systems accept (NAME_MAX), in bytes. */
export const MAX_NAME_BYTES = 255;
/** Longest output path, in bytes: far below PATH_MAX (4096) once the workspace and temp folders are added. */
export const MAX_PATH_BYTES = 1024;

/** Why `path` is not an acceptable output path (relative to generated/; render/output-paths.ts, adapter.yaml shared_paths), or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  if (CONTROL_CHARS.test(path)) return 'contains a control character (newline, tab, NUL, …)';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.split('/').some((name) => Buffer.byteLength(name) > MAX_NAME_BYTES)) return `has a name longer than ${MAX_NAME_BYTES} bytes (file systems refuse it)`;
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  if (path.startsWith('/')) return 'is absolute (paths are relative to generated/)';
  if (path.split('/').includes('..')) return 'escapes generated/ with ".."';
  if (posix.normalize(path) !== path || path.endsWith('/') || path.startsWith('./')) {
    return `is not normalised (expected "${posix.normalize(path).replace(/^\.\/|\/$/g, '')}")`;
  }
  return undefined;
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export function rel(root: string, abs: string): string {
  return toPosix(relative(root, abs)) || '.';
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, or undefined. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of [...candidates].sort()) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
