/**
 * The three render steps behind the platform targets. Each reads only what its target hashes and writes
 * only what its target declares as outputs:
 * - config (split-config): platform.yaml + adapter.yaml files → one slice per adapter;
 * - adapter (render-<a>): a's files, its slice, its providers' payloads → a's output and payloads;
 * - assemble (render): every adapter's output → generated/, pipeline.yaml, lock.json, through the same
 *   `assemble()` and `applyRenderPlan()` as `ztc render`, so both write the same bytes.
 */
import { forgetContracts } from '../../../../capability/contracts';
import { join } from 'node:path';
import { readAdapter } from '../../../../adapter/read-adapter';
import type { AdapterManifest } from '../../../../adapter/types';
import { ConfigError } from '../../../../errors';
import { readPlatform, type LoadedPlatform } from '../../../../platform/read-platform';
import { applyRenderPlan } from '../../../../render/apply';
import { checkChanges } from '../../../../render/change-check';
import { checkAllOutputPaths } from '../../../../render/output-paths';
import { assemble, providersInWorkspace } from '../../../../render/plan';
import { renderLockWaitMs } from '../../../../render/render-lock';
import { renderAdapter, type AdapterOutput } from '../../../../render/render-adapter';
import { resolve, type Resolution } from '../../../../resolve/resolver';
import type { PlatformMetadata } from '../../../../sdk/types';
import { renderPaths } from '../../../constants';
import type { RenderExecutorSchema } from '../schema';
import { readText, removeOtherJson, toJson, writeIfChanged } from './files';
import { jsonProblem } from '../../../../util/json-safety';
import { platformPath } from '../../../../workspace/workspace';
import { adapterInputFingerprint, writeStamp } from './stamp';

/** What render-<adapter> renders from: written by split-config, hashed by render-<adapter>. */
export interface ConfigSlice {
  platform: PlatformMetadata;
  /** The adapter's platform.yaml section, validated, with defaults applied. */
  config: Record<string, unknown>;
  /** capability → the adapter providing it, for each capability this adapter requires. */
  providers: Record<string, string>;
}

/**
 * Reads shared by the steps of one process. A batch runs many steps against the same, unchanging
 * sources, so platform.yaml and each adapter.yaml are read and validated once per batch.
 */
export class StepMemo {
  private readonly platforms = new Map<string, { loaded: LoadedPlatform; resolution: Resolution }>();
  private readonly adapters = new Map<string, AdapterManifest>();
  constructor(readonly workspaceRoot: string) {
    forgetContracts(); // one memo per executor invocation: never serve a contract edited since
  }

  platform(name: string): { loaded: LoadedPlatform; resolution: Resolution } {
    let entry = this.platforms.get(name);
    if (!entry) {
      const loaded = readPlatform(this.workspaceRoot, name);
      const resolution = resolve(loaded.adapters, {
        file: loaded.file,
        candidatesFor: (c) => providersInWorkspace(this.workspaceRoot, c),
      });
      entry = { loaded, resolution };
      this.platforms.set(name, entry);
      for (const [a, m] of loaded.adapters) this.adapters.set(a, m);
    }
    return entry;
  }

  adapter(name: string): AdapterManifest {
    let m = this.adapters.get(name);
    if (!m) {
      m = readAdapter(this.workspaceRoot, name);
      this.adapters.set(name, m);
    }
    return m;
  }
}

const abs = (memo: StepMemo, rel: string): string => join(memo.workspaceRoot, rel);

function readJson<T>(memo: StepMemo, rel: string, producer: string): T {
  const text = readText(abs(memo, rel));
  if (text === undefined) {
    throw ConfigError.one({ file: rel, path: '', message: 'missing', hint: `it is written by the ${producer} task; run "nx run <platform>:render"` });
  }
  return JSON.parse(text) as T;
}

function assertJsonSafe(value: unknown, file: string, path: string): void {
  const problem = jsonProblem(value, path);
  if (problem) throw ConfigError.one({ file, path: '', message: problem, hint: 'use plain JSON values (strings, finite numbers, booleans, null, lists, mappings)' });
}

export function splitConfig(memo: StepMemo, platform: string): string {
  const { loaded, resolution } = memo.platform(platform);
  const dir = platformPath(memo.workspaceRoot, platform);
  assertJsonSafe(loaded.metadata, loaded.file, 'platform');
  for (const a of resolution.order) {
    const manifest = loaded.adapters.get(a)!;
    const slice: ConfigSlice = {
      platform: loaded.metadata,
      config: loaded.configs.get(a)!,
      providers: Object.fromEntries(manifest.requires.map((r) => [r.capability, resolution.providers.get(r.capability)!])),
    };
    assertJsonSafe(slice.config, loaded.file, `adapters.${a}`);
    writeIfChanged(abs(memo, renderPaths.configSlice(dir, a)), toJson(slice));
  }
  removeOtherJson(abs(memo, renderPaths.configDir(dir)), new Set(resolution.order));
  return `${loaded.file}: ${resolution.order.length} adapters, render order ${resolution.order.join(' -> ')}`;
}

export function renderAdapterStep(memo: StepMemo, platform: string, adapter: string): string {
  const dir = platformPath(memo.workspaceRoot, platform);
  const slice = readJson<ConfigSlice>(memo, renderPaths.configSlice(dir, adapter), 'split-config');
  const manifest = memo.adapter(adapter);
  const fingerprint = adapterInputFingerprint(memo.workspaceRoot, platform, manifest);
  const available = new Map<string, unknown>();
  for (const [capability, provider] of Object.entries(slice.providers)) {
    const payloads = readJson<Record<string, unknown>>(memo, renderPaths.capabilities(dir, provider), `render-${provider}`);
    available.set(capability, payloads[capability]);
  }
  const out = renderAdapter(memo.workspaceRoot, manifest, slice.config, slice.platform, available);
  writeIfChanged(abs(memo, renderPaths.adapterOutput(dir, adapter)), toJson(out));
  writeIfChanged(abs(memo, renderPaths.capabilities(dir, adapter)), toJson(out.capabilities));
  if (fingerprint) writeStamp(memo.workspaceRoot, platform, adapter, fingerprint);
  const caps = Object.keys(out.capabilities);
  return `${adapter}: ${Object.keys(out.files).length} files${caps.length ? `, provides ${caps.join(', ')}` : ''}`;
}

export function assembleStep(memo: StepMemo, platform: string): string {
  const { loaded, resolution } = memo.platform(platform);
  const where = platformPath(memo.workspaceRoot, platform);
  const outputs = new Map<string, AdapterOutput>();
  for (const a of resolution.order) outputs.set(a, readJson<AdapterOutput>(memo, renderPaths.adapterOutput(where, a), `render-${a}`));
  checkAllOutputPaths(loaded.adapters, outputs);
  const plan = assemble(memo.workspaceRoot, loaded, resolution, outputs);
  const result = applyRenderPlan(join(memo.workspaceRoot, where), plan, {
    lockWaitMs: renderLockWaitMs(process.env),
    // The render-time change check, as in `ztc render`; the target hashes pipeline.yaml, so a cache hit stands for this same check (platform-targets.ts).
    beforeWrite: () =>
      checkChanges({ workspaceRoot: memo.workspaceRoot, platform, platformFile: loaded.file, order: resolution.order, adapters: loaded.adapters, next: plan.pipeline }),
  });
  if (!result.changed) return `${where}: up to date (${plan.files.size} files, ${resolution.order.length} adapters)`;
  return [
    `${where}: rendered ${plan.files.size} files from ${resolution.order.length} adapters (${resolution.order.join(' -> ')})`,
    ...result.written.map((p) => `  wrote    generated/${p}`),
    ...result.removed.map((p) => `  removed  generated/${p}`),
  ].join('\n');
}

/** Run one step; returns its report line(s). Throws ZtcError for expected failures. */
export function runStep(memo: StepMemo, options: RenderExecutorSchema): string {
  switch (options.step) {
    case 'config':
      return splitConfig(memo, options.platform);
    case 'adapter':
      if (!options.adapter) throw new Error('render executor: step "adapter" needs the "adapter" option');
      return renderAdapterStep(memo, options.platform, options.adapter);
    case 'assemble':
      return assembleStep(memo, options.platform);
  }
}
