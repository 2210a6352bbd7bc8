/**
 * planRender: the pure half of `ztc render`. Reads platform.yaml and the adapters, resolves the
 * capability graph, runs every render module in order and returns the complete output in memory:
 * generated files, pipeline.yaml and lock.json. Nothing is written; `applyRenderPlan` does that.
 * validate uses the same function, so render and validate cannot disagree.
 */
import type { AdapterManifest } from '../adapter/types';
import { readAdapter } from '../adapter/read-adapter';
import { readPlatform, type LoadedPlatform } from '../platform/read-platform';
import { resolve, type Resolution } from '../resolve/resolver';
import { withCache, type EngineCache } from '../util/content-cache';
import { FileDigests } from '../util/file-digests';
import { compareStrings } from '../util/hash';
import { listAdapters } from '../workspace/workspace';
import { withHeader } from './header';
import { adapterSource, adapterSourceHash, buildLock, serializeLock, type Lock } from './lock';
import { checkAllOutputPaths } from './output-paths';
import { buildPipeline, serializePipeline, type Pipeline } from './pipeline';
import { renderAdapter, type AdapterOutput, type RenderOptions } from './render-adapter';

export interface RenderPlan {
  platform: LoadedPlatform;
  resolution: Resolution;
  /** Each adapter's render output, in render order. */
  outputs: ReadonlyMap<string, AdapterOutput>;
  /** Path relative to generated/ → content, sorted by path. */
  files: Map<string, string>;
  pipeline: Pipeline;
  pipelineText: string;
  lock: Lock;
  lockText: string;
}

/** Every workspace adapter that provides `capability` (for "missing capability" hints). */
export function providersInWorkspace(workspaceRoot: string, capability: string): string[] {
  return listAdapters(workspaceRoot).filter((name) => {
    try {
      return readAdapter(workspaceRoot, name).provides.some((p) => p.capability === capability);
    } catch {
      return false;
    }
  });
}

export interface PlanOptions extends RenderOptions {
  /**
   * Where to keep and find what rendering derives (validators, parsed YAML, transpiled render modules,
   * remembered results: util/content-cache.ts). Without one, planRender reads and writes no cache; the
   * CLI and the Nx layer pass `diskCache()`.
   */
  cache?: EngineCache;
}

/**
 * Everything a render would write, in memory; writes nothing but to `options.cache`. `options.memo`: see
 * RenderOptions (`ztc render` remembers render modules' results; validate does not).
 */
export function planRender(workspaceRoot: string, platformName: string, options: PlanOptions = {}): RenderPlan {
  return withCache(options.cache, () => plan(workspaceRoot, platformName, options));
}

function plan(workspaceRoot: string, platformName: string, options: RenderOptions): RenderPlan {
  const digests = options.digests ?? new FileDigests();
  const platform = readPlatform(workspaceRoot, platformName);
  const resolution = resolve(platform.adapters, {
    file: platform.file,
    candidatesFor: (c) => providersInWorkspace(workspaceRoot, c),
  });
  const outputs = new Map<string, AdapterOutput>();
  const available = new Map<string, unknown>();
  for (const name of resolution.order) {
    const adapter = platform.adapters.get(name)!;
    const out = renderAdapter(workspaceRoot, adapter, platform.configs.get(name)!, platform.metadata, available, { ...options, digests });
    outputs.set(name, out);
    for (const [cap, payload] of Object.entries(out.capabilities)) available.set(cap, payload);
  }
  checkAllOutputPaths(platform.adapters, outputs);
  return assemble(workspaceRoot, platform, resolution, outputs, digests);
}

/** Combine per-adapter outputs into the platform's files, pipeline and lock (also used by the Nx layer). */
export function assemble(
  workspaceRoot: string,
  platform: LoadedPlatform,
  resolution: Resolution,
  outputs: ReadonlyMap<string, AdapterOutput>,
  digests = new FileDigests(),
): RenderPlan {
  const files = new Map<string, string>();
  const entries: [string, string, string][] = [];
  for (const [adapter, out] of outputs) for (const [p, c] of Object.entries(out.files)) entries.push([p, c, adapter]);
  entries.sort((a, b) => compareStrings(a[0], b[0]));
  for (const [p, c, adapter] of entries) files.set(p, withHeader(p, c, adapter, platform.name));

  const pipeline = buildPipeline({
    workspaceRoot,
    platform: platform.metadata,
    order: resolution.order,
    adapters: platform.adapters,
    configs: platform.configs,
    outputs,
    files,
    digests,
  });
  const pipelineText = serializePipeline(pipeline);
  const ordered: AdapterManifest[] = resolution.order.map((n) => platform.adapters.get(n)!);
  const lock = buildLock({
    platformRaw: platform.raw,
    adapters: ordered,
    sourceHashes: new Map(ordered.map((a) => [a.name, adapterSourceHash(workspaceRoot, a, digests)])),
    sources: new Map(ordered.map((a) => [a.name, adapterSource(workspaceRoot, a)])),
    files,
    pipelineText,
  });
  return { platform, resolution, outputs, files, pipeline, pipelineText, lock, lockText: serializeLock(lock) };
}
