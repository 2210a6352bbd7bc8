/**
 * The render stamp (render-stamp.ts) must list every path a render depends on, or a change to an
 * unlisted one would be reported "up to date". This spec watches node:fs while a render of the example
 * platform (all seven adapters) runs from scratch, and checks each path it touched against the stamp.
 * A file of its own, so that no module of the engine has read and kept anything before it starts.
 */
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickPlatform } from '../cli/command';
import { ENGINE_ROOT } from '../constants';
import { tempWorkspace } from '../../testing/temp-workspace';
import { applyRenderPlan } from './apply';
import { planRender } from './plan';
import { stampPaths } from './render-stamp';
import { findWorkspaceRoot } from '../workspace/workspace';

/** Paths under `roots` that `fn` reads, lists or checks through node:fs. */
function pathsTouched(roots: string[], fn: () => void): Set<string> {
  const touched = new Set<string>();
  const names = ['readFileSync', 'readdirSync', 'existsSync', 'statSync', 'lstatSync', 'realpathSync', 'openSync', 'accessSync'] as const;
  const mutable = createRequire(__filename)('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  const originals = names.map((name) => [name, mutable[name]!] as const);
  for (const [name, original] of originals) {
    mutable[name] = function (this: unknown, ...args: unknown[]) {
      if (typeof args[0] === 'string' && roots.some((root) => (args[0] as string).startsWith(`${root}/`))) touched.add(args[0]);
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    for (const [name, original] of originals) mutable[name] = original;
    syncBuiltinESMExports();
  }
  return touched;
}

describe('render stamp covers every path a render touches', () => {
  it('the example platform with all seven adapters: each path read is recorded, or is absent in a recorded folder', () => {
    const ws = tempWorkspace();
    // The workspace has no contracts folder of its own: the engine's serve (and are watched too).
    for (const rel of ['adapters', 'platforms/example/platform.yaml']) ws.copyFromRepo(rel);
    ws.write('platforms/README.md', 'not a platform\n');
    ws.write('platforms/draft/notes.txt', 'a platform folder without platform.yaml yet\n');
    const packages = new Set<string>();
    let plan: ReturnType<typeof planRender> | undefined;
    const touched = [
      // What `ztc render` (the platform not named, so found by listing) does after the stamp began.
      ...pathsTouched([ws.root, ENGINE_ROOT], () => {
        const root = findWorkspaceRoot(ws.root);
        plan = planRender(root, pickPlatform(root, undefined), { packages });
        applyRenderPlan(ws.path('platforms/example'), plan);
      }),
      // The engine's code and its packages: the stamp names the build (dist/build.json), made from exactly those.
    ].filter((p) => !p.startsWith(ENGINE_ROOT) || !/^\/(src|dist|bin|schemas|node_modules)\//.test(p.slice(ENGINE_ROOT.length)));
    const paths = stampPaths(ws.root, ws.root, plan!, packages);
    const recorded = new Set(paths);
    /** An absent path is covered by its nearest existing folder (an entry coming or going changes it). */
    const isFolder = (p: string): boolean => {
      try {
        return fs.statSync(p).isDirectory();
      } catch {
        return false; // absent, or below a file (ENOTDIR)
      }
    };
    const nearestFolder = (p: string): string => (isFolder(p) ? p : nearestFolder(dirname(p)));
    /** A file of an npm package is covered by the package's package.json (as the render memo records packages). */
    const packageJson = (p: string): string | undefined => {
      const m = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(fs.realpathSync(p));
      return m ? `${m[1]}/package.json` : undefined;
    };
    const platformDir = ws.path('platforms/example');
    const covered = (p: string): boolean =>
      recorded.has(p) ||
      (!fs.existsSync(p) && recorded.has(nearestFolder(p))) ||
      // the engine itself, which the stamp identifies by its build
      p.startsWith(`${ws.root}/node_modules/@ztc/engine/`) ||
      (p.includes('/node_modules/') && recorded.has(packageJson(p)!)) ||
      // content-addressed caches: an entry can only be read back for the input it was made from
      p.includes('/node_modules/.cache/') ||
      // the render lock, and the platform folder apply lists for a crashed render's leftovers
      p.startsWith(`${platformDir}/.ztc`) ||
      p === platformDir;
    expect(touched.length).toBeGreaterThan(50);
    expect(touched.filter((p) => !covered(p))).toEqual([]);
    expect(paths).toContain(join(ws.root, 'adapters/talos/adapter.yaml'));
    expect(paths).toContain(join(ENGINE_ROOT, 'scripts/ztc.sh'));
  });
});
