/**
 * The render-time change check (docs/adapters.md, "Refusing a change at render time"). A render module may
 * export `checkChange(previous, next)` next to `render`: a pure function that sees this adapter's step
 * contexts as the platform's pipeline.yaml on disk holds them (the last render) and as this render would
 * write them, and returns the changes it refuses (removing the last control plane, breaking etcd quorum in
 * one step, a Kubernetes jump of two minors). Every render that writes (`ztc render`, the Nx `render`
 * target) calls it before writing; a refusal is a ConfigError (exit 3) naming platform.yaml and
 * `adapters.<name>`, and nothing is written. `ztc validate` does not call it: validate compares, it
 * changes nothing.
 *
 * It is not called when there is no previous pipeline.yaml (a first render), when the adapter was not in
 * the previous render, or when the adapter's side did not change (an unchanged side has nothing to refuse;
 * this also keeps a render whose modules' results were remembered (render-memo.ts) from loading them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterManifest } from '../adapter/types';
import { LOCK_FILE, PIPELINE_FILE } from '../constants';
import { ConfigError, type Issue } from '../errors';
import type { ChangeCheck, PlanSide } from '../sdk/types';
import { canonicalJson } from '../util/hash';
import { readYamlFile } from '../util/yaml';
import { platformPath } from '../workspace/workspace';
import { guardedCall, GuardedCallError } from './guarded-call';
import type { Pipeline, PipelineStep } from './pipeline';
import { deepFreeze, guardIssue, loadChangeCheck } from './render-adapter';

/** Every step of the pipeline that belongs to `adapter`, by id, with its context. */
export function planSide(pipeline: Pick<Pipeline, 'preflight' | 'stages' | 'teardown' | 'backup'>, adapter: string): PlanSide {
  const steps = [...pipeline.preflight, ...pipeline.stages.flatMap((s) => s.steps), ...(pipeline.teardown ?? []), ...(pipeline.backup ?? [])];
  return { scriptContext: Object.fromEntries(steps.filter((s) => s.adapter === adapter).map((s) => [s.id, s.context])) };
}

/** The previous render of the platform: its pipeline and the adapters it had, or undefined when there is none (or it cannot be read). */
function previousRender(workspaceRoot: string, platform: string): { pipeline: Pipeline; adapters: Set<string> } | undefined {
  const dir = join(workspaceRoot, platformPath(workspaceRoot, platform));
  let pipeline: Pipeline;
  try {
    if (!existsSync(join(dir, PIPELINE_FILE))) return undefined;
    const value = readYamlFile(join(dir, PIPELINE_FILE), PIPELINE_FILE).value as Partial<Pipeline> | null;
    const steps = (l: unknown) => Array.isArray(l) && l.every((x: Partial<PipelineStep> | null) => typeof x?.id === 'string' && typeof x.adapter === 'string');
    const stagesOk = Array.isArray(value?.stages) && value.stages.every((st) => steps(st?.steps));
    if (!value || !stagesOk || !steps(value.preflight) || (value.teardown !== undefined && !steps(value.teardown)) || (value.backup !== undefined && !steps(value.backup)))
      return undefined;
    pipeline = { ...value, teardown: value.teardown ?? [], backup: value.backup ?? [] } as Pipeline;
  } catch {
    return undefined; // missing, or not one ztc wrote: nothing to compare with
  }
  const adapters = new Set(pipeline.stages.flatMap((s) => s.steps).map((s) => s.adapter));
  for (const s of [...pipeline.preflight, ...pipeline.teardown, ...pipeline.backup]) adapters.add(s.adapter);
  const lockFile = join(dir, LOCK_FILE);
  if (existsSync(lockFile)) {
    try {
      for (const a of Object.keys((JSON.parse(readFileSync(lockFile, 'utf8')) as { adapters?: Record<string, unknown> }).adapters ?? {})) adapters.add(a);
    } catch {
      /* a broken lock.json: the pipeline's adapters are what we know */
    }
  }
  return { pipeline, adapters };
}

export interface ChangeCheckInput {
  workspaceRoot: string;
  platform: string;
  /** Workspace-relative platform.yaml, named by every refusal. */
  platformFile: string;
  /** The adapters in render order. */
  order: readonly string[];
  adapters: ReadonlyMap<string, AdapterManifest>;
  /** The pipeline this render would write. */
  next: Pipeline;
  /** For tests: the loader of a module's check. @default loadChangeCheck */
  load?: (workspaceRoot: string, adapter: AdapterManifest) => ChangeCheck | undefined;
}

/** Run every adapter's change check against the previous render; throws a ConfigError listing every refusal. */
export function checkChanges(input: ChangeCheckInput): void {
  const previous = previousRender(input.workspaceRoot, input.platform);
  if (!previous) return;
  const load = input.load ?? loadChangeCheck;
  const issues: Issue[] = [];
  for (const name of input.order) {
    const adapter = input.adapters.get(name)!;
    if (!adapter.render || !previous.adapters.has(name)) continue;
    const before = planSide(previous.pipeline, name);
    const after = planSide(input.next, name);
    if (canonicalJson(before) === canonicalJson(after)) continue;
    const check = load(input.workspaceRoot, adapter);
    if (!check) continue;
    const module = `${adapter.root}/${adapter.render}`;
    let refusals: unknown;
    try {
      refusals = guardedCall(() => check(deepFreeze(structuredClone(before)), deepFreeze(structuredClone(after))), 'checkChange');
    } catch (e) {
      if (e instanceof GuardedCallError) throw guardIssue(module, e);
      throw new ConfigError([{ file: module, path: 'checkChange', message: `checkChange failed: ${(e as Error).message}` }], { cause: e });
    }
    if (!Array.isArray(refusals) || !refusals.every((r) => typeof r === 'string')) {
      throw ConfigError.one({ file: module, path: 'checkChange', message: 'checkChange must return a list of strings (the refusals; [] when the change is fine)' });
    }
    for (const message of refusals) {
      issues.push({
        file: input.platformFile,
        path: `adapters.${name}`,
        message,
        hint: `nothing was written; change platform.yaml as the message says, then run "ztc render ${input.platform}" again`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
