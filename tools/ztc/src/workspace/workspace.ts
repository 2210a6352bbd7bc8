/**
 * Locating the workspace and the adapters and platforms in it (where: workspace/layout.ts). Adapters come
 * from the workspace's adapters folder and from installed npm packages (InstalledAdapter).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ADAPTER_FILE, PLATFORM_FILE } from '../constants';
import { compareStrings } from '../util/hash';
import { readLayout } from './layout';

/** The nearest ancestor of `start` holding nx.json (else `start` itself). */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

function listWith(root: string, folder: string, file: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, folder));
  } catch {
    return [];
  }
  return entries.filter((e) => existsSync(join(root, folder, e, file))).sort(compareStrings);
}

/**
 * An adapter installed as an npm package: a dependency of the workspace (root package.json
 * `dependencies`/`devDependencies`) whose package.json has `ztc.adapter`, the adapter's name, with
 * adapter.yaml at the package root. (The packages this repository publishes, `@ztc/adapter-<name>`,
 * also carry the keyword `ztc-adapter`, for searching the registry.)
 */
export interface InstalledAdapter {
  name: string;
  /** Workspace-relative folder (`node_modules/@ztc/adapter-talos`; pnpm links it there too). */
  dir: string;
  packageName: string;
  version: string;
}

const installedCache = new Map<string, { key: string; adapters: Map<string, InstalledAdapter> }>();

/** The files each package manager rewrites in node_modules on every install (npm, pnpm, yarn 1, yarn berry). */
const INSTALL_MARKERS = ['node_modules/.package-lock.json', 'node_modules/.modules.yaml', 'node_modules/.yarn-integrity', 'node_modules/.yarn-state.yml'];

/**
 * Adapters installed as packages, by adapter name (see InstalledAdapter); read again when package.json
 * changes or a package manager installed (a long-lived process, the Nx daemon's plugin worker, sees both).
 */
export function installedAdapters(root: string): ReadonlyMap<string, InstalledAdapter> {
  let text: string;
  try {
    text = readFileSync(join(root, 'package.json'), 'utf8');
  } catch {
    return new Map();
  }
  const installs = INSTALL_MARKERS.map((f) => {
    const st = statSync(join(root, f), { throwIfNoEntry: false });
    return st === undefined ? '-' : `${st.size}:${st.mtimeMs}:${st.ino}`;
  });
  const key = `${installs.join(' ')}\n${text}`;
  const cached = installedCache.get(root);
  if (cached?.key === key) return cached.adapters;
  const adapters = new Map<string, InstalledAdapter>();
  let deps: string[] = [];
  try {
    const pkg = JSON.parse(text) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    deps = [...new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})])].sort(compareStrings);
  } catch {
    /* an invalid package.json: Nx and npm say so; no installed adapters */
  }
  for (const dep of deps) {
    const dir = `node_modules/${dep}`;
    let manifest: { name?: unknown; version?: unknown; ztc?: { adapter?: unknown } };
    try {
      manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      continue; // not installed (yet)
    }
    const name = manifest.ztc?.adapter;
    if (typeof name !== 'string' || !existsSync(join(root, dir, ADAPTER_FILE)) || adapters.has(name)) continue;
    adapters.set(name, { name, dir, packageName: typeof manifest.name === 'string' ? manifest.name : dep, version: typeof manifest.version === 'string' ? manifest.version : '' });
  }
  installedCache.set(root, { key, adapters });
  return adapters;
}

/** Names of the adapters in the workspace's adapters folder (folders with an adapter.yaml), sorted. */
export function workspaceAdapters(root: string): string[] {
  return listWith(root, readLayout(root).adaptersRoot, ADAPTER_FILE);
}

/** Names of all adapters: the adapters folder's and the installed packages', sorted. */
export function listAdapters(root: string): string[] {
  return [...new Set([...workspaceAdapters(root), ...installedAdapters(root).keys()])].sort(compareStrings);
}

/**
 * Installed adapters that a workspace adapter of the same name replaces (the workspace's wins: it is the
 * copy to customise, `nx g @ztc/engine:adapter <name> --from <package>`), for init and render to say so.
 */
export function shadowedAdapters(root: string, names?: Iterable<string>): InstalledAdapter[] {
  const local = new Set(workspaceAdapters(root));
  const wanted = names === undefined ? undefined : new Set(names);
  return [...installedAdapters(root).values()].filter((a) => local.has(a.name) && (wanted === undefined || wanted.has(a.name)));
}

/** The line init and render print for an installed adapter the workspace's replaces. */
export function shadowNote(root: string, a: InstalledAdapter): string {
  return `note: adapter "${a.name}": ${adapterPath(root, a.name)}/ (this workspace) is used, not the installed ${a.packageName}@${a.version}`;
}

/** Names of all platforms (folders with a platform.yaml), sorted. */
export function listPlatforms(root: string): string[] {
  return listWith(root, readLayout(root).platformsRoot, PLATFORM_FILE);
}

/**
 * Workspace-relative folder of an adapter: `<adaptersRoot>/<name>` when the workspace has it (it wins
 * over an installed package of the same name), else the installed package's folder, else (unknown)
 * where it would be in the workspace.
 */
export function adapterPath(root: string, name: string): string {
  const local = `${readLayout(root).adaptersRoot}/${name}`;
  if (existsSync(join(root, local, ADAPTER_FILE))) return local;
  return installedAdapters(root).get(name)?.dir ?? local;
}

/** The installed package an adapter comes from, or undefined for one of the workspace's adapters folder. */
export function adapterPackage(root: string, name: string): InstalledAdapter | undefined {
  const installed = installedAdapters(root).get(name);
  return installed !== undefined && adapterPath(root, name) === installed.dir ? installed : undefined;
}

/** Workspace-relative folder of a platform (`platforms/<name>`). */
export function platformPath(root: string, name: string): string {
  return `${readLayout(root).platformsRoot}/${name}`;
}
