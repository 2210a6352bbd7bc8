/**
 * Path rules for render output (CONTRACT §4): relative, normalised, inside generated/, under the
 * adapter's own folder unless adapter.yaml declares the path shared, and never claimed twice.
 */
import type { AdapterManifest } from '../adapter/types';
import { ConfigError, type Issue } from '../errors';
import { pathProblem } from '../util/paths';

export function ownsPath(adapter: AdapterManifest, path: string): boolean {
  if (path.startsWith(`${adapter.name}/`)) return true;
  return adapter.sharedPaths.some((shared) => (shared.endsWith('/') ? path.startsWith(shared) : path === shared));
}

/** Issues for one adapter's file set; `owners` (path → adapter) accumulates across adapters. */
export function checkOutputPaths(adapter: AdapterManifest, paths: readonly string[], owners: Map<string, string>): Issue[] {
  const issues: Issue[] = [];
  const file = `${adapter.root}/${adapter.render ?? 'adapter.yaml'}`;
  for (const path of paths) {
    const problem = pathProblem(path);
    if (problem) {
      issues.push({
        file,
        path: `files[${JSON.stringify(path)}]`,
        message: `output path ${problem}`,
        hint: 'return a relative, normalised path such as "<adapter>/manifests/x.yaml"',
      });
      continue;
    }
    if (!ownsPath(adapter, path)) {
      issues.push({
        file,
        path: `files[${JSON.stringify(path)}]`,
        message: `adapter "${adapter.name}" may only write under generated/${adapter.name}/`,
        hint: `write it under ${adapter.name}/ or declare it in shared_paths of ${adapter.file}`,
      });
      continue;
    }
    const other = owners.get(path);
    if (other) {
      issues.push({
        file,
        path: `files[${JSON.stringify(path)}]`,
        message: `generated/${path} is also produced by adapter "${other}"`,
        hint: 'two adapters may never write the same path; rename one output',
      });
      continue;
    }
    owners.set(path, adapter.name);
  }
  return issues;
}

/** A file path that is also a directory of another output (`a/b` and `a/b/c`) cannot be written. */
export function fileDirectoryClashes(owners: Map<string, string>): Issue[] {
  const issues: Issue[] = [];
  for (const [path, owner] of owners) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const other = owners.get(prefix);
      if (other) {
        issues.push({
          file: `adapters/${owner}`,
          path: `files[${JSON.stringify(path)}]`,
          message: `generated/${prefix} is a file of adapter "${other}" and cannot also be a folder`,
          hint: 'rename one of the outputs',
        });
      }
    }
  }
  return issues;
}

/**
 * Check every adapter's output paths (in render order) and that no path is claimed twice or is both a
 * file and a folder; throws one ConfigError listing every problem. Shared by `ztc render` and the Nx
 * render batch, so both refuse exactly the same outputs.
 */
export function checkAllOutputPaths(adapters: ReadonlyMap<string, AdapterManifest>, outputs: ReadonlyMap<string, { files: Record<string, string> }>): void {
  const owners = new Map<string, string>();
  const issues: Issue[] = [];
  for (const [name, out] of outputs) issues.push(...checkOutputPaths(adapters.get(name)!, Object.keys(out.files), owners));
  issues.push(...fileDirectoryClashes(owners));
  if (issues.length > 0) throw new ConfigError(issues);
}
