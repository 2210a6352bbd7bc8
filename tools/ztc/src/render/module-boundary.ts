/**
 * What a render module may load: files of its own adapter folder, the engine (`@ztc/engine`), Node
 * built-ins and installed npm packages. Nx hashes exactly the adapter folder and the engine for a
 * render task, and lock.json's source_hash covers the adapter folder, so code anywhere else in the
 * workspace (a shared `libs/helper.ts`) could change without re-rendering: Nx would restore stale
 * output and validate would report drift that `nx run <p>:render` cannot clear. Such imports are
 * refused. The check walks the module graph exactly as Node loaded it (`module.children`, real paths
 * after symlinks), after the render ran, so lazy `require`s inside render are seen too.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { ENGINE_ROOT } from '../constants';
import { rel } from '../util/paths';

export interface BoundaryViolation {
  /** Workspace-relative (or absolute, outside the workspace) file that was loaded. */
  file: string;
  /** Workspace-relative module that loaded it. */
  importer: string;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Folders whose modules render code may load without being walked into. */
function allowedRoots(adapterDir: string): string[] {
  const engines = [real(ENGINE_ROOT)];
  try {
    // `@ztc/engine` as the adapter resolves it (a workspace link; another checkout in tests).
    // Resolved as a file of the adapter would (createRequire): `require.resolve` with `paths` would take
    // the running engine's own package for its own name (self-reference), not the adapter's.
    engines.push(real(dirname(createRequire(join(adapterDir, 'render.js')).resolve('@ztc/engine/package.json'))));
  } catch {
    /* not resolvable from there: render would fail to load anyway */
  }
  // The built engine (dist/, what `@ztc/engine` resolves to) and, in this repository, its sources.
  return engines.flatMap((e) => [join(e, 'dist'), join(e, 'src')]).map((r) => `${r}${sep}`);
}

/**
 * Modules loaded by the render module `entry` (absolute path) and, transitively, by the adapter's own
 * modules, that lie outside `adapterDir`, the engine and node_modules.
 */
export function moduleBoundaryViolations(workspaceRoot: string, adapterDir: string, entry: string): BoundaryViolation[] {
  const root = require.cache[require.resolve(entry)];
  if (!root) return [];
  const inside = `${real(adapterDir)}${sep}`;
  const allowed = allowedRoots(adapterDir);
  const wsRoot = real(workspaceRoot);
  const show = (file: string): string => {
    const r = rel(wsRoot, file);
    return r.startsWith('../') ? file : r;
  };
  const violations: BoundaryViolation[] = [];
  const seen = new Set<NodeJS.Module>();
  const visit = (mod: NodeJS.Module): void => {
    seen.add(mod);
    for (const child of mod.children) {
      if (seen.has(child)) continue;
      const file = real(child.filename);
      if (file.startsWith(inside)) visit(child);
      else if (!file.split(sep).includes('node_modules') && !allowed.some((a) => file.startsWith(a))) {
        seen.add(child);
        violations.push({ file: show(file), importer: show(real(mod.filename)) });
      }
    }
  };
  visit(root);
  return violations;
}
