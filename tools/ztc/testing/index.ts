/**
 * `@ztc/engine/testing`: what an adapter's specs use, the same from an installed engine as in this
 * repository (adapters import nothing else of the engine but `@ztc/engine`).
 *
 * - `interpolate(text, vars)`: the template engine behind a render module's `helpers.template`.
 * - `templateHelpers(adapterDir)`: the helpers the engine passes to `render`, reading the adapter's
 *   own `templates/`, so a spec calls its render function exactly as the engine does.
 * - `renderPlatform(workspaceRoot, platform)`: a whole platform rendered in memory (nothing written),
 *   as `ztc render` renders it: for specs against a real platform.
 * - `runAdapterScript({ script, context, tools })`: one adapter script run the way `ztc bootstrap` lays
 *   it out (ZTC_LIB_DIR with the engine's ztc.sh and the adapter's libraries), with stand-in tools.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRender } from '../src/render/plan';
import { interpolate } from '../src/sdk/template';
import type { RenderHelpers } from '../src/sdk/types';

export { interpolate };
export { runAdapterScript, type AdapterScriptOptions, type AdapterScriptRun } from './adapter-script';

/** The helpers `render` gets from the engine, for the adapter in `adapterDir` (its `templates/`). */
export function templateHelpers(adapterDir: string): RenderHelpers {
  return { template: (name, vars) => interpolate(readFileSync(join(adapterDir, 'templates', name), 'utf8'), vars) };
}

/** One step of pipeline.yaml. */
export interface RenderedStep {
  /** `<adapter>/<script>`. */
  readonly id: string;
  readonly stage: string;
  readonly adapter: string;
  /** The step's non-secret context (adapter.yaml `context:` and what render added). */
  readonly context: Readonly<Record<string, unknown>>;
}

export interface RenderedPlatform {
  /** Path under generated/ → content, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  /** Every step of pipeline.yaml, stage by stage. */
  readonly steps: readonly RenderedStep[];
  /** lock.json's `files`: path under generated/ → sha256. */
  readonly lockFiles: Readonly<Record<string, string>>;
  /** pipeline.yaml and lock.json as `ztc render` writes them. */
  readonly pipelineText: string;
  readonly lockText: string;
}

/** Render the platform `platform` of the workspace at `workspaceRoot` in memory; throws what `ztc render` reports. */
export function renderPlatform(workspaceRoot: string, platform: string): RenderedPlatform {
  const plan = planRender(workspaceRoot, platform);
  const steps = plan.pipeline.stages.flatMap((s) => s.steps.map((step) => ({ id: step.id, stage: s.name, adapter: step.adapter, context: step.context })));
  return { files: plan.files, steps, lockFiles: plan.lock.files, pipelineText: plan.pipelineText, lockText: plan.lockText };
}
