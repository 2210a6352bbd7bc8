/** Small file helpers for the render steps: JSON in insertion order, atomic writes, no-op rewrites. */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../../../../util/cache-file';

/**
 * JSON text of a render result. Insertion order is kept on purpose (not canonical JSON): consumers see
 * payloads exactly as `ztc render` hands them over in memory, so key order in their output cannot differ.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function readText(abs: string): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

/** Write `content` unless the file already holds it; atomic (temp file + rename). Returns true if written. */
export function writeIfChanged(abs: string, content: string): boolean {
  if (readText(abs) === content) return false;
  writeAtomic(abs, content);
  return true;
}

/** Remove the `*.json` files of `dir` whose names (without .json) are not in `keep`. */
export function removeOtherJson(dir: string, keep: ReadonlySet<string>): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.endsWith('.json') && !keep.has(e.slice(0, -'.json'.length))) rmSync(join(dir, e), { force: true });
  }
}

/** Contents of the given workspace-relative files (undefined when missing), for before/after comparison. */
export function snapshot(workspaceRoot: string, files: readonly string[]): Map<string, string | undefined> {
  return new Map(files.map((f) => [f, readText(join(workspaceRoot, f))]));
}

/** The files whose content differs between two snapshots (a file that appeared or vanished counts). */
export function changedFiles(before: Map<string, string | undefined>, after: Map<string, string | undefined>): Set<string> {
  const changed = new Set<string>();
  for (const f of new Set([...before.keys(), ...after.keys()])) if (before.get(f) !== after.get(f)) changed.add(f);
  return changed;
}
