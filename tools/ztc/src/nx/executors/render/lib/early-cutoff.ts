/**
 * Early cut-off inside a batch.
 *
 * Nx sends a batch every task that missed the cache plus every task behind one. A task behind a miss
 * hashes the outputs of the tasks before it (`dependentTasksOutputFiles`), so Nx cannot look it up
 * before they ran; it hashes it in advance from the outputs on disk and expects the batch to run it.
 * When the tasks before it ran and left the files it hashes byte-for-byte unchanged, that advance hash
 * is already its real hash. Such a task is left out of the batch's results: Nx then looks it up in the
 * cache in its next pass (a hit restores nothing, the outputs are already there), and only a miss runs.
 * So a re-render whose payload did not change stops there, and the run summary says so.
 *
 * Rules, each needed for correctness or termination:
 * - only an adapter step with at least one dependency in this batch is left out: a task without one
 *   was sent because it missed the cache, so it must run (and every pass makes progress);
 * - every dependency in the batch ran and changed none of the files this task hashes from it, or was
 *   left out itself (its outputs on disk are the ones its unchanged hash stands for);
 * - the task's stamp (stamp.ts) matches its current inputs and its outputs on disk: its own inputs did
 *   not change either, so what is on disk is exactly what running it would write, and tasks that run
 *   after it in this batch read correct data;
 * - never with --skip-nx-cache, and never again in a run once a left-out task came back (see ledger.ts).
 */
import { renderPaths } from '../../../constants';
import type { RenderExecutorSchema } from '../schema';

export type Outcome = { kind: 'ran'; changed: ReadonlySet<string> } | { kind: 'left-out' } | { kind: 'failed' } | { kind: 'skipped' };

/**
 * Workspace-relative files `task` hashes from the outputs of `dep` (mirrors DEP_OUTPUT_GLOBS).
 * @param p the platform's workspace-relative folder
 */
export function consumedFiles(task: RenderExecutorSchema, dep: RenderExecutorSchema, p: string): string[] {
  if (task.step === 'adapter' && dep.step === 'config') return [renderPaths.configSlice(p, task.adapter!)];
  if (task.step === 'adapter' && dep.step === 'adapter') return [renderPaths.capabilities(p, dep.adapter!)];
  if (task.step === 'assemble' && dep.step === 'adapter') {
    return [renderPaths.adapterOutput(p, dep.adapter!), renderPaths.capabilities(p, dep.adapter!)];
  }
  return [];
}

/**
 * Files a step writes, compared before and after it runs.
 * @param p the platform's workspace-relative folder
 */
export function producedFiles(step: RenderExecutorSchema, sliceAdapters: readonly string[], p: string): string[] {
  switch (step.step) {
    case 'config':
      return sliceAdapters.map((a) => renderPaths.configSlice(p, a));
    case 'adapter':
      return [renderPaths.adapterOutput(p, step.adapter!), renderPaths.capabilities(p, step.adapter!)];
    case 'assemble':
      return [];
  }
}

export interface LeaveOutQuery {
  options: RenderExecutorSchema;
  /** The platform's workspace-relative folder. */
  platformDir: string;
  /** Dependencies of the task that are part of this batch. */
  depsInBatch: { options: RenderExecutorSchema; outcome: Outcome | undefined }[];
  /** The stamp matches: the outputs on disk are what running the task now would write (asked last). */
  upToDate: () => boolean;
}

export function canLeaveOut(q: LeaveOutQuery): boolean {
  if (q.options.step !== 'adapter' || q.depsInBatch.length === 0) return false;
  const depsUnchanged = q.depsInBatch.every(({ options, outcome }) => {
    if (outcome?.kind === 'left-out') return true;
    if (outcome?.kind !== 'ran') return false;
    return consumedFiles(q.options, options, q.platformDir).every((f) => !outcome.changed.has(f));
  });
  return depsUnchanged && q.upToDate();
}
