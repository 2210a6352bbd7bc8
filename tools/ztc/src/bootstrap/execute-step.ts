/**
 * One step, start to finish: check the script is the one rendered, open its log, build its environment,
 * run it through the runner with its output going live to the event sink and the log, then check the
 * state dir for leaked secrets. Receipts are the caller's business (preflight steps write none).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import type { PipelineStep } from '../render/pipeline';
import { sha256 } from '../util/hash';
import type { EventSink } from './events';
import type { Masker } from './masker';
import { runScript, type RunScriptResult } from './runner';
import type { StateArea } from './state-area';
import { removeLeakedSecrets } from './state-guard';
import { buildStepEnv } from './step-env';
import { StepLog } from './step-log';

export interface StepRunContext {
  area: StateArea;
  env: NodeJS.ProcessEnv;
  allSecretNames: ReadonlySet<string>;
  masker: Masker;
  emit: EventSink;
  signal?: AbortSignal;
  killGraceMs?: number;
  tmpRoot?: string;
}

export interface StepRunResult extends RunScriptResult {
  /** Workspace-relative log file. */
  log: string;
  /** Last output lines (masked), for messages about a failed step. */
  tail: string[];
}

const TAIL_LINES = 5;

function readScript(ctx: StepRunContext, step: PipelineStep): Buffer {
  const bytes = readFileSync(join(ctx.area.workspaceRoot, step.script));
  if (sha256(bytes) !== step.sha256) {
    throw new ExitError(`${step.script} changed since render (step ${step.id}); run render first ("ztc render ${ctx.area.platform}")`, ExitCode.invalid);
  }
  return bytes;
}

export async function executeStep(ctx: StepRunContext, stage: string, step: PipelineStep): Promise<StepRunResult> {
  const script = readScript(ctx, step);
  const logRel = ctx.area.logFile(stage, step.id);
  const log = new StepLog(ctx.area.abs(logRel), ctx.masker);
  const tail: string[] = [];
  let result: RunScriptResult;
  try {
    log.header(step, stage);
    ctx.emit({ event: 'step_started', step: step.id, stage, adapter: step.adapter, description: step.description, timeout_seconds: step.timeout_seconds, log: logRel });
    result = await runScript({
      script,
      fileName: basename(step.script),
      displayPath: step.script,
      context: step.context,
      env: buildStepEnv({
        base: ctx.env,
        allSecretNames: ctx.allSecretNames,
        step,
        stage,
        platform: ctx.area.platform,
        workspaceRoot: ctx.area.workspaceRoot,
        generatedDir: ctx.area.generatedDir,
        stateDir: ctx.area.stateDir,
      }),
      timeoutMs: step.timeout_seconds * 1000,
      killGraceMs: ctx.killGraceMs,
      signal: ctx.signal,
      tmpRoot: ctx.tmpRoot,
      masker: ctx.masker,
      onLine(stream, line) {
        log.line(stream, line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        ctx.emit({ event: 'output', step: step.id, stream, line });
      },
    });
    const leaked = removeLeakedSecrets(ctx.area.stateDir, ctx.masker);
    if (leaked.length > 0) {
      const line = `ztc: the step wrote a secret value into ZTC_STATE_DIR (${leaked.join(', ')}); removed. Keep only non-secret values there.`;
      log.line('stderr', line);
      ctx.emit({ event: 'output', step: step.id, stream: 'stderr', line });
      tail.push(line);
      if (result.status === 'succeeded') result = { ...result, status: 'failed', exitCode: ExitCode.failed };
    }
    log.finish(result);
  } finally {
    log.close();
  }
  return { ...result, log: logRel, tail };
}
