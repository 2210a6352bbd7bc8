/**
 * createNodes: a project per `adapters/<name>/adapter.yaml` (tag type:adapter) and per
 * `platforms/<name>/platform.yaml` (tag type:platform). Each file is processed on its own through
 * createNodesFromFiles, so an invalid file is reported by name while every other project still loads.
 */
import { forgetContracts } from '../../capability/contracts';
import { createNodesFromFiles, type CreateNodes, type CreateNodesContext, type CreateNodesResult } from '@nx/devkit';
import { basename, dirname } from 'node:path';
import type { AdapterManifest } from '../../adapter/types';
import { ADAPTER_FILE, ADAPTERS_DIR, PLATFORM_FILE, PLATFORMS_DIR } from '../../constants';
import { listAdapters } from '../../workspace/workspace';
import { PROJECT_FILES_GLOB } from '../constants';
import { normalizeOptions, type NormalizedOptions, type ZtcPluginOptions } from '../options';
import { createAdapterTargets } from './adapter-targets';
import { ADAPTER_NAMED_INPUTS } from './inputs';
import { createPlatformTargets, platformTargetGroups } from './platform-targets';
import { readAdapterInfo, readPlatformInfo, type AdapterInfo } from './read-project-files';

/** Adapters read once per createNodes pass; a platform asks for the ones it uses. */
class AdapterIndex {
  private readonly cache = new Map<string, { info?: AdapterInfo; error?: unknown }>();
  constructor(
    private readonly workspaceRoot: string,
    readonly names: readonly string[],
  ) {}
  get(name: string): AdapterInfo {
    let entry = this.cache.get(name);
    if (!entry) {
      try {
        entry = { info: readAdapterInfo(this.workspaceRoot, `${ADAPTERS_DIR}/${name}/${ADAPTER_FILE}`) };
      } catch (error) {
        entry = { error };
      }
      this.cache.set(name, entry);
    }
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

function kindOf(file: string): Kind {
  const top = file.split('/')[0];
  if (top === ADAPTERS_DIR && basename(file) === ADAPTER_FILE) return 'adapter';
  if (top === PLATFORMS_DIR && basename(file) === PLATFORM_FILE) return 'platform';
  return undefined;
}

function createNodesInternal(file: string, opts: NormalizedOptions, context: CreateNodesContext, adapters: AdapterIndex): CreateNodesResult {
  const root = dirname(file);
  const kind = kindOf(file);
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
            technologies: ['ztc'],
          },
          namedInputs: ADAPTER_NAMED_INPUTS,
          targets: createAdapterTargets(info, opts),
        },
      },
    };
  }
  if (kind === 'platform') {
    const platform = readPlatformInfo(context.workspaceRoot, file, (n) => adapters.manifest(n), adapters.names);
    return {
      projects: {
        [root]: {
          name: platform.name,
          projectType: 'application',
          tags: ['type:platform'],
          metadata: {
            description: `ZTC platform ${platform.name} (${platform.order.length} adapters)`,
            adapters: platform.order,
            technologies: ['ztc'],
            targetGroups: platformTargetGroups(platform),
          },
          targets: createPlatformTargets(platform, opts),
        },
      },
    };
  }
  return {};
}

export const createNodes: CreateNodes<ZtcPluginOptions> = [
  PROJECT_FILES_GLOB,
  (files, options, context) => {
    const opts = normalizeOptions(options);
    forgetContracts(); // under the daemon this process lives on: re-read contracts each time
    const adapters = new AdapterIndex(context.workspaceRoot, listAdapters(context.workspaceRoot));
    return createNodesFromFiles((file) => createNodesInternal(file, opts, context, adapters), files, options, context);
  },
];
