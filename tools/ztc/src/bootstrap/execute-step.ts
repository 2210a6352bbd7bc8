/**
 * One step, start to finish: check the script is the one rendered, open its log, build its environment,
 * run it through the runner with its output going live to the event sink and the log, then check the
 * state dir for leaked secrets. Receipts are the caller's business (preflight steps write none).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import type { PipelineStep } from '../render/pipeline';
import { scriptLibPath } from '../render/script-libs';
import { sha256 } from '../util/hash';
import { adapterPath } from '../workspace/workspace';
import type { EventSink, Position, StartReason } from './events';
import type { Masker } from './masker';
import { runScript, type RunScriptResult } from './runner';
import type { StateArea } from '../workspace/state-area';
import { removeLeakedSecrets } from './state-guard';
import { buildStepEnv } from './step-env';
import { StepLog } from './step-log';

export interface StepRunContext {
  area: StateArea;
  /** ZTC_PRIVATE_DIR: where steps keep the credentials they make (outside the workspace, 0700). */
  privateDir: string;
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

/** A file the step runs or sources, checked against the sha256 render recorded. */
function readChecked(ctx: StepRunContext, step: PipelineStep, path: string, expected: string | undefined, shown: string): Buffer {
  const bytes = readFileSync(path);
  if (sha256(bytes) !== expected) {
    throw new ExitError(`${shown} changed since render (step ${step.id}); run render first ("ztc render ${ctx.area.platform}")`, ExitCode.invalid);
  }
  return bytes;
}

function readLibs(ctx: StepRunContext, step: PipelineStep): { name: string; content: Buffer }[] {
  return Object.entries(step.libs).map(([name, hash]) => {
    const path = scriptLibPath(ctx.area.workspaceRoot, adapterPath(ctx.area.workspaceRoot, step.adapter), name);
    return { name, content: readChecked(ctx, step, path, hash, `script library ${name}`) };
  });
}

export async function executeStep(ctx: StepRunContext, stage: string, step: PipelineStep, position: Position & StartReason = {}): Promise<StepRunResult> {
  const script = readChecked(ctx, step, join(ctx.area.workspaceRoot, step.script), step.sha256, step.script);
  const libs = readLibs(ctx, step);
  const logRel = ctx.area.logFile(stage, step.id);
  const log = new StepLog(ctx.area.abs(logRel), ctx.masker);
  const tail: string[] = [];
  let result: RunScriptResult;
  try {
    log.header(step, stage);
    ctx.emit({
      event: 'step_started',
      step: step.id,
      stage,
      adapter: step.adapter,
      description: step.description,
      timeout_seconds: step.timeout_seconds,
      log: logRel,
      ...(step.disruptive !== undefined && { disruptive: step.disruptive }),
      ...position,
    });
    result = await runScript({
      script,
      libs,
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
        privateDir: ctx.privateDir,
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
