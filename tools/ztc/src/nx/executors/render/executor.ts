/**
 * The `render` executor. Nx runs all render steps of a run in one process through `batch` (executors.json
 * sets preferBatch), which is what makes a 300-adapter render take seconds instead of a process per task;
 * the default export runs a single step when batching is off (`--batch=false`).
 */
import type { ExecutorContext, PromiseExecutor, TaskGraph } from '@nx/devkit';
import { describeError, nxLogger } from '../report-error';
import { canLeaveOut, producedFiles, type Outcome } from './lib/early-cutoff';
import { changedFiles, snapshot } from './lib/files';
import { LeftOutLedger } from './lib/ledger';
import { adapterInputFingerprint, stampMatches } from './lib/stamp';
import { StepMemo, runStep } from './lib/steps';
import type { RenderExecutorSchema } from './schema';
import { platformPath } from '../../../workspace/workspace';
import { topologicalSort } from '../../../util/topo-sort';

const runExecutor: PromiseExecutor<RenderExecutorSchema> = async (options, context) => {
  try {
    nxLogger().info(runStep(new StepMemo(context.root), options));
    return { success: true };
  } catch (e) {
    nxLogger().error(describeError(e));
    return { success: false };
  }
};
export default runExecutor;

/** One task's result as a batch executor reports it (Nx's BatchExecutorTaskResult). */
export interface BatchTaskResult {
  task: string;
  result: { success: boolean; status?: 'success' | 'failure' | 'skipped'; terminalOutput?: string; startTime?: number; endTime?: number };
}

/** Ids of the tasks `id` depends on (edges arrive as `{ id }` objects). */
export function dependencyIds(graph: TaskGraph, id: string): string[] {
  return (graph.dependencies[id] ?? []).map((e) => (typeof e === 'string' ? e : e.id));
}

/** Whether an adapter step's outputs on disk are what running it now would write (see stamp.ts). */
function upToDate(memo: StepMemo, options: RenderExecutorSchema): boolean {
  if (options.step !== 'adapter') return false;
  try {
    const manifest = memo.adapter(options.adapter!);
    return stampMatches(memo.workspaceRoot, options.platform, options.adapter!, adapterInputFingerprint(memo.workspaceRoot, options.platform, manifest));
  } catch {
    return false; // an unreadable adapter runs, and reports why
  }
}

/**
 * Task ids of the batch, every task after the tasks it depends on (util/topo-sort, ties by id). Nx refuses a
 * cyclic graph before a batch starts; were one to come, its tasks would still all run, smallest id first.
 */
export function topologicalOrder(graph: TaskGraph): string[] {
  return topologicalSort(Object.keys(graph.tasks), (id) => dependencyIds(graph, id), 'break').order;
}

export async function* batch(
  graph: TaskGraph,
  inputs: Record<string, RenderExecutorSchema>,
  _overrides: RenderExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  yield* runBatch(context.root, graph, inputs, new LeftOutLedger());
}

/** The batch: every step in dependency order, in this process, leaving out what early cut-off allows. */
export async function* runBatch(root: string, graph: TaskGraph, inputs: Record<string, RenderExecutorSchema>, ledger: LeftOutLedger): AsyncGenerator<BatchTaskResult> {
  const memo = new StepMemo(root);
  const order = topologicalOrder(graph);
  const inBatch = new Set(order);
  const leaveOutAllowed = process.env.NX_SKIP_NX_CACHE !== 'true' && ledger.allows(order);
  const outcomes = new Map<string, Outcome>();
  const leftOut: string[] = [];
  const sliceAdapters = (platform: string): string[] =>
    order
      .map((id) => inputs[id]!)
      .filter((o) => o.platform === platform && o.step === 'adapter')
      .map((o) => o.adapter!);

  for (const id of order) {
    const options = inputs[id]!;
    const deps = dependencyIds(graph, id).filter((d) => inBatch.has(d));
    if (deps.some((d) => ['failed', 'skipped'].includes(outcomes.get(d)?.kind ?? ''))) {
      outcomes.set(id, { kind: 'skipped' });
      yield { task: id, result: { success: false, status: 'skipped', terminalOutput: 'not run: a task it depends on failed\n' } };
      continue;
    }
    const platformDir = platformPath(root, options.platform);
    const produced = producedFiles(options, sliceAdapters(options.platform), platformDir);
    const depsInBatch = deps.map((d) => ({ options: inputs[d]!, outcome: outcomes.get(d) }));
    if (leaveOutAllowed && canLeaveOut({ options, platformDir, depsInBatch, upToDate: () => upToDate(memo, options) })) {
      outcomes.set(id, { kind: 'left-out' });
      leftOut.push(id);
      continue;
    }
    const before = snapshot(root, produced);
    const startTime = Date.now();
    try {
      const message = runStep(memo, options);
      outcomes.set(id, { kind: 'ran', changed: changedFiles(before, snapshot(root, produced)) });
      yield { task: id, result: { success: true, terminalOutput: `${message}\n`, startTime, endTime: Date.now() } };
    } catch (e) {
      outcomes.set(id, { kind: 'failed' });
      yield { task: id, result: { success: false, status: 'failure', terminalOutput: `${describeError(e)}\n`, startTime, endTime: Date.now() } };
    }
  }
  ledger.record(leftOut);
}
