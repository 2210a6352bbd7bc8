/**
 * createNodes: a project per `<adaptersRoot>/<name>/adapter.yaml` (tag type:adapter) and per
 * `<platformsRoot>/<name>/platform.yaml` (tag type:platform); the roots are plugin options (options.ts).
 * Each file is processed on its own through createNodesFromFiles, so an invalid file is reported by
 * name while every other project still loads.
 */
import { forgetContracts } from '../../capability/contracts';
import type { CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { basename, dirname, posix } from 'node:path';
import type { AdapterManifest } from '../../adapter/types';
import { ADAPTER_FILE, PLATFORM_FILE } from '../../constants';
import { compareStrings } from '../../util/hash';
import { PROJECT_FILES_GLOB } from '../constants';
import { normalizeOptions, type NormalizedOptions, type ZtcPluginOptions } from '../options';
import { createAdapterTargets } from './adapter-targets';
import { nodesFromFiles } from './nodes-from-files';
import { engineLocation, type EngineLocation } from './engine';
import { ADAPTER_NAMED_INPUTS } from './inputs';
import { createPlatformTargets, platformTargetGroups } from './platform-targets';
import { readAdapterInfo, readPlatformInfo, type AdapterInfo } from './read-project-files';
import { installedAdapters, type InstalledAdapter } from '../../workspace/workspace';
import { vitestSetup, type VitestSetup } from './vitest-setup';

/** Adapters read once per createNodes pass; a platform asks for the ones it uses. */
class AdapterIndex {
  private readonly cache = new Map<string, { info?: AdapterInfo; error?: unknown }>();
  /** All adapter names: the workspace's (projects) and the installed packages' the workspace has none of. */
  readonly names: readonly string[];
  constructor(
    private readonly workspaceRoot: string,
    private readonly adaptersRoot: string,
    local: readonly string[],
    /** Installed adapter packages by adapter name; a workspace adapter of the same name wins. */
    readonly installed: ReadonlyMap<string, InstalledAdapter>,
  ) {
    this.installed = new Map([...installed].filter(([name]) => !local.includes(name)));
    this.names = [...local, ...this.installed.keys()].sort(compareStrings);
  }
  get(name: string): AdapterInfo {
    let entry = this.cache.get(name);
    if (!entry) {
      const pkg = this.installed.get(name);
      try {
        entry = { info: readAdapterInfo(this.workspaceRoot, pkg ? `${pkg.dir}/${ADAPTER_FILE}` : `${this.adaptersRoot}/${name}/${ADAPTER_FILE}`, name) };
      } catch (error) {
        entry = { error };
      }
      this.cache.set(name, entry);
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what reading the adapter threw, kept for the next ask
    if (entry.error !== undefined) throw entry.error;
    return entry.info!;
  }
  manifest(name: string): AdapterManifest | undefined {
    try {
      return this.get(name).manifest;
    } catch {
      return undefined;
    }
  }
}

type Kind = 'adapter' | 'platform' | undefined;

/** Whether `file` is `<root>/<name>/<expected>` (exactly one folder below the root). */
function directlyBelow(file: string, root: string, expected: string): boolean {
  return basename(file) === expected && dirname(dirname(file)) === root;
}

function kindOf(file: string, opts: NormalizedOptions): Kind {
  if (directlyBelow(file, opts.adaptersRoot, ADAPTER_FILE)) return 'adapter';
  if (directlyBelow(file, opts.platformsRoot, PLATFORM_FILE)) return 'platform';
  return undefined;
}

interface Pass {
  opts: NormalizedOptions;
  engine: EngineLocation;
  adapters: AdapterIndex;
  vitest: VitestSetup;
}

function createNodesInternal(file: string, { opts, engine, adapters, vitest }: Pass, context: CreateNodesContext): CreateNodesResult {
  const root = dirname(file);
  const kind = kindOf(file, opts);
  if (kind === 'adapter') {
    const info = adapters.get(basename(root));
    const m = info.manifest;
    const provides = m.provides.map((p) => p.capability);
    const requires = m.requires.map((r) => r.capability);
    return {
      projects: {
        [root]: {
          name: m.name,
          projectType: 'library',
          tags: ['type:adapter', ...provides.map((c) => `provides:${c}`)],
          metadata: {
            description: m.description,
            version: m.version,
            capabilities: { provides, requires },
            ...(m.render && { renderModule: `${root}/${m.render}` }),
            technologies: ['ztc'],
          },
          namedInputs: ADAPTER_NAMED_INPUTS,
          targets: createAdapterTargets(info, opts, engine, vitest),
        },
      },
    };
  }
  if (kind === 'platform') {
    const platform = readPlatformInfo(context.workspaceRoot, file, (n) => adapters.manifest(n), adapters.names);
    platform.packages = new Map(
      platform.order.flatMap((a) => {
        const pkg = adapters.installed.get(a);
        return pkg ? [[a, pkg.packageName] as const] : [];
      }),
    );
    return {
      projects: {
        [root]: {
          name: platform.name,
          projectType: 'application',
          tags: ['type:platform'],
          metadata: {
            description: `ZTC platform ${platform.name} (${platform.order.length} adapters)`,
            adapters: platform.order,
            ...(platform.packages && platform.packages.size > 0 && { adapterPackages: Object.fromEntries(platform.packages) }),
            technologies: ['ztc'],
            targetGroups: platformTargetGroups(platform, opts),
          },
          targets: createPlatformTargets(platform, opts, engine),
        },
      },
    };
  }
  return {};
}

/**
 * Every cached ZTC task hashes the workspace's `sharedGlobals` too, when nx.json defines that named input
 * (Nx's presets put files there that change every task's meaning, e.g. the CI workflow).
 */
function withSharedGlobals(result: CreateNodesResult, shared: boolean): CreateNodesResult {
  if (!shared) return result;
  for (const project of Object.values(result.projects ?? {})) {
    for (const target of Object.values(project.targets ?? {})) {
      if (target.inputs && !target.inputs.includes('sharedGlobals')) target.inputs = [...target.inputs, 'sharedGlobals'];
    }
  }
  return result;
}

export const createNodes: CreateNodes<ZtcPluginOptions> = [
  PROJECT_FILES_GLOB,
  (files, options, context) => {
    const opts = normalizeOptions(options);
    forgetContracts(); // under the daemon this process lives on: re-read contracts each time
    const ours = files.filter((f) => kindOf(f, opts) !== undefined);
    // The adapters are the adapter.yaml files Nx handed over: no second walk of the folder.
    const names = ours.filter((f) => kindOf(f, opts) === 'adapter').map((f) => posix.basename(posix.dirname(f)));
    // Installed adapter packages (workspace/workspace.ts) are no projects: platforms hash them by package version.
    const adapters = new AdapterIndex(context.workspaceRoot, opts.adaptersRoot, names.sort(compareStrings), installedAdapters(context.workspaceRoot));
    const pass: Pass = { opts, engine: engineLocation(context.workspaceRoot), adapters, vitest: vitestSetup(context.workspaceRoot) };
    const shared = context.nxJsonConfiguration?.namedInputs?.sharedGlobals !== undefined;
    return nodesFromFiles((file) => withSharedGlobals(createNodesInternal(file, pass, context), shared), ours);
  },
];
