/**
 * `nx g @ztc/engine:adapter <name> --from <package>`: an installed adapter package copied into the
 * workspace's adapters folder to customise it. The workspace's copy then wins over the package (render
 * and init say so). The package's TypeScript render module is copied when it ships one (render.ts
 * beside the compiled render.js, as @ztc/adapter-<name> does) and adapter.yaml points at it again;
 * otherwise render.js is the copy's render module. package.json stays behind: the copy is the
 * workspace's adapter, not a second package of that name.
 */
import type { Tree } from '@nx/devkit';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADAPTER_FILE } from '../../../../constants';

/** The folder of the installed package `from`, as Node resolves it from the workspace root. */
function packageDir(from: string, workspaceRoot: string): string {
  try {
    return dirname(require.resolve(`${from}/package.json`, { paths: [workspaceRoot] }));
  } catch {
    throw new Error(`--from: package ${from} is not installed in this workspace (npm install -D ${from}, then run the generator again)`);
  }
}

function filesBelow(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${e}` : e;
    if (e === 'node_modules') continue;
    if (statSync(join(dir, r)).isDirectory()) out.push(...filesBelow(dir, r));
    else out.push(r);
  }
  return out;
}

/** Copy the adapter of package `from` to `root` (workspace-relative) under the adapter name `name`; returns the package's adapter name and what was written. */
export function copyInstalledAdapter(tree: Tree, from: string, name: string, root: string): { adapterName: string; written: string[] } {
  const dir = packageDir(from, tree.root);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { ztc?: { adapter?: unknown } };
  const adapterName = pkg.ztc?.adapter;
  if (typeof adapterName !== 'string') throw new Error(`--from: ${from} is not a ZTC adapter package (its package.json has no "ztc": { "adapter": … })`);
  const files = filesBelow(dir);
  const hasTs = files.includes('render.ts');
  const written: string[] = [];
  for (const rel of files) {
    if (rel === 'package.json' || (hasTs && rel === 'render.js')) continue;
    let content: string | Buffer = readFileSync(join(dir, rel));
    if (rel === ADAPTER_FILE) {
      let text = content.toString('utf8');
      if (hasTs) text = text.replace(/^render: *render\.js *$/m, 'render: render.ts');
      if (name !== adapterName) text = text.replace(new RegExp(`^name: *${adapterName} *$`, 'm'), `name: ${name}`);
      content = text;
    }
    const mode = statSync(join(dir, rel)).mode & 0o777;
    tree.write(`${root}/${rel}`, content, rel.endsWith('.sh') ? { mode: mode | 0o755 } : undefined);
    written.push(`${root}/${rel}`);
  }
  return { adapterName, written };
}
