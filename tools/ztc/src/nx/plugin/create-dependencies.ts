/**
 * createDependencies, read from the project metadata createNodes recorded (no file is parsed twice):
 * - platform → each adapter it uses: `static`, from platform.yaml, which names the adapter (an adapter
 *   installed as a package: its npm node);
 * - adapter → every adapter in the workspace that provides a capability it requires: `implicit`, since
 *   adapter.yaml names a capability, not the adapter; the graph draws these apart from the static ones;
 * - adapter → the engine (the `@ztc/engine` project here, `npm:@ztc/engine` where it is installed):
 *   `static`, from the render module that imports it (adapter.yaml when there is none).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDependencies, CreateDependenciesContext, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { ADAPTER_FILE, PACKAGE_NAME, PLATFORM_FILE } from '../../constants';
import type { ZtcPluginOptions } from '../options';

/**
 * DependencyType's values (a string enum), so the plugin does not load @nx/devkit at run time
 * (~0.2 s in a plugin worker); a spec checks them against the enum.
 */
export const STATIC = 'static' as DependencyType.static;
export const IMPLICIT = 'implicit' as DependencyType.implicit;

interface AdapterMeta {
  capabilities?: { provides?: string[]; requires?: string[] };
  /** Workspace-relative render module, when the adapter has one. */
  renderModule?: string;
}
interface PlatformMeta {
  adapters?: string[];
  /** adapter → npm package, for the adapters installed as packages (no project of their own). */
  adapterPackages?: Record<string, string>;
}

/** The engine's node in the graph: the workspace project of that package, or its npm node. */
export function engineNode(context: Pick<CreateDependenciesContext, 'projects' | 'externalNodes'>): string | undefined {
  for (const [name, project] of Object.entries(context.projects)) {
    if ((project.metadata as { js?: { packageName?: string } } | undefined)?.js?.packageName === PACKAGE_NAME) return name;
  }
  const npm = `npm:${PACKAGE_NAME}`;
  return context.externalNodes?.[npm] ? npm : undefined;
}

export const createDependencies: CreateDependencies<ZtcPluginOptions> = (_options, context) => {
  const adapters: { name: string; root: string; requires: string[]; source: string }[] = [];
  const platforms: { name: string; root: string; uses: string[]; packages: Record<string, string> }[] = [];
  const providers = new Map<string, string[]>();
  for (const [name, project] of Object.entries(context.projects)) {
    const tags = project.tags ?? [];
    const root = project.root;
    if (tags.includes('type:adapter')) {
      const meta = (project.metadata as AdapterMeta | undefined) ?? {};
      const caps = meta.capabilities ?? {};
      const source = meta.renderModule && existsSync(join(context.workspaceRoot, meta.renderModule)) ? meta.renderModule : `${root}/${ADAPTER_FILE}`;
      adapters.push({ name, root, requires: caps.requires ?? [], source });
      for (const c of caps.provides ?? []) providers.set(c, [...(providers.get(c) ?? []), name]);
    } else if (tags.includes('type:platform')) {
      const meta = (project.metadata as PlatformMeta | undefined) ?? {};
      platforms.push({ name, root, uses: meta.adapters ?? [], packages: meta.adapterPackages ?? {} });
    }
  }
  const known = new Set(adapters.map((a) => a.name));
  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  const once = (source: string, target: string): boolean => {
    const key = `${source}\0${target}`;
    if (source === target || seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const a of adapters) {
    for (const c of a.requires) {
      for (const p of providers.get(c) ?? []) if (known.has(p) && once(a.name, p)) deps.push({ source: a.name, target: p, type: IMPLICIT });
    }
  }
  for (const p of platforms) {
    for (const a of p.uses) {
      const target = known.has(a) ? a : p.packages[a] !== undefined && context.externalNodes?.[`npm:${p.packages[a]}`] ? `npm:${p.packages[a]}` : undefined;
      if (target !== undefined && once(p.name, target)) deps.push({ source: p.name, target, type: STATIC, sourceFile: `${p.root}/${PLATFORM_FILE}` });
    }
  }
  const engine = engineNode(context);
  if (engine) {
    for (const a of adapters) if (once(a.name, engine)) deps.push({ source: a.name, target: engine, type: STATIC, sourceFile: a.source });
  }
  return deps;
};
