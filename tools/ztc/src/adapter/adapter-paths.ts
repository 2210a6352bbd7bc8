/**
 * Paths in adapter.yaml (`render`, script `file`s) and template names point at files of the adapter, and
 * nothing else: render loads them and bootstrap copies and runs them, so a path that leaves the adapter
 * folder (`../x/render.ts`, `scripts/../../../outside.sh`, a symlink to elsewhere) would run code that
 * neither the adapter's source hash nor its Nx inputs cover. Such paths are refused; so are control
 * characters, which would corrupt pipeline.yaml and every message that prints the path.
 */
import { realpathSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { CONTROL_CHARS, rel } from '../util/paths';

/**
 * Why `path` (relative to `dir`, e.g. `adapters/talos`) does not name a file inside `dir`, or undefined
 * when it does or does not exist yet (the caller reports a missing file). `dir` is workspace-relative.
 */
export function insidePathProblem(workspaceRoot: string, dir: string, path: string): string | undefined {
  const shown = JSON.stringify(path);
  if (CONTROL_CHARS.test(path)) return `${shown} contains a control character (newline, tab, NUL, …)`;
  if (path.includes('\\')) return `${shown} contains a backslash (use "/")`;
  if (path.startsWith('/')) return `${shown} is absolute (paths are relative to ${dir}/)`;
  if (path.split('/').includes('..')) return `${shown} leaves ${dir}/ ("..")`;
  if (posix.normalize(path) !== path || path.startsWith('./')) return `${shown} is not normalised (expected "${posix.normalize(path).replace(/^\.\//, '')}")`;
  let real: string;
  let realDir: string;
  try {
    // realpath(3) in one call; the JS realpathSync walks every component with lstat.
    realDir = realpathSync.native(join(workspaceRoot, dir));
    real = realpathSync.native(join(workspaceRoot, dir, path));
  } catch {
    return undefined; // missing: reported as "not found" by the caller
  }
  if (!real.startsWith(`${realDir}${sep}`)) {
    const target = rel(realpathSync.native(workspaceRoot), real);
    return `${shown} resolves to ${target.startsWith('../') ? real : target}, outside ${dir}/ (symlink)`;
  }
  return undefined;
}
