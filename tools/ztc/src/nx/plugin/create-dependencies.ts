/**
 * createDependencies: adapter → every adapter in the workspace that provides a capability it requires,
 * and platform → each adapter it uses. Read from the project metadata createNodes recorded, so no file
 * is parsed twice.
 */
import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { ADAPTER_FILE, PLATFORM_FILE } from '../../constants';
import type { ZtcPluginOptions } from '../options';

interface AdapterMeta {
  capabilities?: { provides?: string[]; requires?: string[] };
}
interface PlatformMeta {
  adapters?: string[];
}

export const createDependencies: CreateDependencies<ZtcPluginOptions> = (_options, context) => {
  const adapters: { name: string; root: string; requires: string[] }[] = [];
  const platforms: { name: string; root: string; uses: string[] }[] = [];
  const providers = new Map<string, string[]>();
  for (const [name, project] of Object.entries(context.projects)) {
    const tags = project.tags ?? [];
    const root = project.root;
    if (tags.includes('type:adapter')) {
      const caps = (project.metadata as AdapterMeta | undefined)?.capabilities ?? {};
      adapters.push({ name, root, requires: caps.requires ?? [] });
      for (const c of caps.provides ?? []) providers.set(c, [...(providers.get(c) ?? []), name]);
    } else if (tags.includes('type:platform')) {
      platforms.push({ name, root, uses: (project.metadata as PlatformMeta | undefined)?.adapters ?? [] });
    }
  }
  const known = new Set(adapters.map((a) => a.name));
  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string, sourceFile: string): void => {
    const key = `${source}\0${target}`;
    if (source === target || !known.has(target) || seen.has(key)) return;
    seen.add(key);
    deps.push({ source, target, type: DependencyType.static, sourceFile });
  };
  for (const a of adapters) {
    for (const c of a.requires) for (const p of providers.get(c) ?? []) add(a.name, p, `${a.root}/${ADAPTER_FILE}`);
  }
  for (const p of platforms) for (const a of p.uses) add(p.name, a, `${p.root}/${PLATFORM_FILE}`);
  return deps;
};
