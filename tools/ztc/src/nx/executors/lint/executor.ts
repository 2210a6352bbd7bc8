/**
 * The `lint` executor: shellcheck and schema checks for one adapter, or for all adapters of a run in one
 * process (`batch`, preferred by executors.json), a few shellcheck processes at a time.
 */
import type { ExecutorContext, PromiseExecutor, TaskGraph } from '@nx/devkit';
import { availableParallelism } from 'node:os';
import { describeError, nxLogger } from '../report-error';
import type { BatchTaskResult } from '../render/executor';
import { formatReport, lintAdapter } from './lib/lint-adapter';
import type { LintExecutorSchema } from './schema';

const runExecutor: PromiseExecutor<LintExecutorSchema> = async (options, context) => {
  try {
    const report = await lintAdapter(context.root, options.adapter);
    const logger = nxLogger();
    (report.errors.length ? logger.error : logger.info)(formatReport(report));
    return { success: report.errors.length === 0 };
  } catch (e) {
    nxLogger().error(describeError(e));
    return { success: false };
  }
};
export default runExecutor;

async function lintTask(root: string, id: string, options: LintExecutorSchema): Promise<BatchTaskResult> {
  const startTime = Date.now();
  try {
    const report = await lintAdapter(root, options.adapter);
    return { task: id, result: { success: report.errors.length === 0, terminalOutput: `${formatReport(report)}\n`, startTime, endTime: Date.now() } };
  } catch (e) {
    return { task: id, result: { success: false, terminalOutput: `${describeError(e)}\n`, startTime, endTime: Date.now() } };
  }
}

export async function* batch(
  graph: TaskGraph,
  inputs: Record<string, LintExecutorSchema>,
  _overrides: LintExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const queue = Object.keys(graph.tasks).sort();
  const running = new Map<string, Promise<BatchTaskResult>>();
  const limit = Math.max(1, availableParallelism());
  while (queue.length > 0 || running.size > 0) {
    while (queue.length > 0 && running.size < limit) {
      const id = queue.shift()!;
      running.set(id, lintTask(context.root, id, inputs[id]!));
    }
    const done = await Promise.race(running.values());
    running.delete(done.task);
    yield done;
  }
}
