/**
 * `runBootstrap`: the bootstrap engine the CLI and the Nx stage targets share (CONTRACT §6). It prepares
 * the run (pre-conditions, receipts), runs the check_health pre-flight, then the steps stage by stage,
 * halting at the first failing required step, and reports everything as events. It never throws for
 * an expected failure: the result carries the exit code and the error, so a thin caller can print it
 * and exit, and an Nx executor can return `{ success }` and state the real outcome.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { STAGES, type Stage } from '../constants';
import { ExitCode, ExitError, isZtcError, type ZtcError } from '../errors';
import type { PipelineStep } from '../render/pipeline';
import { maskEvent, type BootstrapEvent, type EventSink, type Position, type RunCommand, type RunOutcome, type StartReason, type StepRef } from './events';
import { executeStep, type StepRunContext, type StepRunResult } from './execute-step';
import { Heartbeat } from './heartbeat';
import { Masker } from './masker';
import { prepareRun, type PlannedStep, type PreparedRun } from './prepare-run';
import { pruneReceipts, RECEIPT_INPUTS, writeReceipt, type StepStatus } from './receipts';
import { findRestoredReceipts, noteLocalReceipts } from './restored-receipts';
import { preparePrivateDir, resolvePrivateDir } from './private-dir';
import { openStateBackend, type StateBackendOptions, type StateSession } from '../state/backend';
import { acquireRunLock } from './run-lock';
import { cleanStaleSecureDirs } from './secure-dir';
import { describeAbort, exitCodeForAbort } from './signals';
import { PREFLIGHT, stateArea } from '../workspace/state-area';

export interface BootstrapOptions {
  workspaceRoot: string;
  platform: string;
  /** Run only this stage (the Nx stage targets); earlier stages must be done. */
  stage?: Stage;
  /** Ignore receipts: run every step again (receipts of the selected stages are rewritten). */
  fresh?: boolean;
  /** Check everything and report what would run or be skipped; run nothing, write nothing. */
  dryRun?: boolean;
  /** The steps' environment, secrets included; secrets stored by `ztc init` fill in the ones it lacks. @default process.env */
  env?: NodeJS.ProcessEnv;
  onEvent?: EventSink;
  /** Aborting (e.g. on SIGINT) stops the running step; the reason 'SIGTERM' gives exit 143, else 130. */
  signal?: AbortSignal;
  /** Time between TERM and KILL when a step is stopped. @default 5000 */
  killGraceMs?: number;
  /** Where `ztc-secure-*` dirs are created and stale ones cleaned. @default os.tmpdir() */
  tmpRoot?: string;
  /** A step silent this long gets a heartbeat event, and again after each further such silence. @default 10000 */
  heartbeatMs?: number;
  /** The command that continues this run, named in run_finished after a failure (no secrets: they stay in the environment). */
  resumeCommand?: string;
  /** Lock timing and S3 retries of the s3 state backend (tests). */
  stateOptions?: StateBackendOptions;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;

export interface BootstrapResult {
  exitCode: number;
  outcome: RunOutcome;
  /** Why the run did not succeed (absent on success and for a dry run). */
  error?: ZtcError;
  ran: number;
  skipped: number;
}

export type Ending = Omit<BootstrapResult, 'ran' | 'skipped'> & { notRun?: StepRef[] };

export async function runBootstrap(opts: BootstrapOptions): Promise<BootstrapResult> {
  const started = Date.now();
  let masker = new Masker([]);
  const emit = (e: BootstrapEvent) => opts.onEvent?.(maskEvent(e, masker));
  const counts = { ran: 0, skipped: 0 };
  const stages: string[] = opts.stage ? [opts.stage] : [...STAGES];
  emit({ event: 'run_started', platform: opts.platform, stages, fresh: !!opts.fresh, dry_run: !!opts.dryRun });
  let ending: Ending;
  try {
    const env = opts.env ?? process.env;
    const state = openStateBackend(opts.workspaceRoot, opts.platform, env, opts.stateOptions);
    masker = new Masker(state.secrets.values);
    const notice = (message: string) => emit({ event: 'notice', message });
    if (opts.dryRun) {
      // The backend's receipts, read without the lock: a dry run writes nothing, there or here.
      const view = await state.view(stateArea(opts.workspaceRoot, opts.platform));
      if (state.kind === 's3') notice(`receipts read from the state backend ${state.location} (without its lock)`);
      try {
        const prepared = prepareRun({ ...opts, env, area: view.area, hidden: state.secrets });
        masker = prepared.masker;
        ending = dryRun(prepared, emit);
      } finally {
        view.dispose();
      }
    } else {
      // s3: the lock is taken and the backend pulled before anything is decided from receipts.
      const privateDir = resolvePrivateDir(opts.workspaceRoot, opts.platform, env);
      const session = await state.begin({ area: stateArea(opts.workspaceRoot, opts.platform), privateDir, env, command: commandLine(opts), notice });
      try {
        const prepared = prepareRun({ ...opts, env, hidden: state.secrets });
        masker = prepared.masker;
        ending = await execute(prepared, opts, emit, counts, session);
      } finally {
        await session?.end();
      }
    }
  } catch (e) {
    if (!isZtcError(e)) throw e;
    ending = { exitCode: e.exitCode, outcome: e.exitCode === ExitCode.invalid ? 'refused' : 'failed', error: e };
  }
  return finishRun(emit, { platform: opts.platform, resumeCommand: opts.resumeCommand, started, counts }, ending);
}

/** The run_finished event of a bootstrap, destroy or backup (`command` names the last two), and its result. */
export function finishRun(
  emit: (e: BootstrapEvent) => void,
  run: { platform: string; resumeCommand?: string; started: number; counts: { ran: number; skipped: number }; command?: RunCommand },
  ending: Ending,
): BootstrapResult {
  const stopped = ending.notRun !== undefined;
  emit({
    event: 'run_finished',
    ...(run.command && { command: run.command }),
    platform: run.platform,
    exit_code: ending.exitCode,
    outcome: ending.outcome,
    message: ending.error?.message,
    ...(ending.error && { error_code: ending.error.code }),
    duration_ms: Date.now() - run.started,
    ...run.counts,
    ...(stopped && { not_run: ending.notRun, ...(run.resumeCommand && { resume_command: run.resumeCommand }) }),
  });
  const { notRun: _notRun, ...result } = ending;
  return { ...result, ...run.counts };
}

/** A stage of the run as it goes: its steps, each run or skipped (pre-flight steps always run). */
interface QueuedStage {
  name: string;
  steps: (Omit<PlannedStep, 'status' | 'changes'> & { status?: StepStatus; changes?: PlannedStep['changes'] })[];
}

/** Preflight first (when anything runs), then the selected stages: what the run goes through, in order. */
function runQueue(p: PreparedRun): QueuedStage[] {
  return [...(p.preflight.length ? [{ name: PREFLIGHT, steps: p.preflight.map((step) => ({ step, run: true })) }] : []), ...p.stages];
}

function dryRun(p: PreparedRun, emit: EventSink): Ending {
  const queue = runQueue(p);
  const total = queue.reduce((n, s) => n + s.steps.length, 0);
  let index = 0;
  for (const stage of queue) {
    for (const s of stage.steps) {
      emit({
        event: 'step_planned',
        step: s.step.id,
        stage: stage.name,
        action: s.run ? 'run' : 'skip',
        status: s.status ?? 'always',
        ...(s.changes?.length && { changes: s.changes }),
        ...(s.step.disruptive !== undefined && { disruptive: s.step.disruptive }),
        index: ++index,
        total,
      });
    }
  }
  const running = queue.reduce((n, s) => n + s.steps.filter((x) => x.run).length, 0);
  emit({ event: 'notice', message: `dry run: ${running} step${running === 1 ? '' : 's'} would run (pre-flight checks included); nothing was run or written` });
  return { exitCode: ExitCode.ok, outcome: 'dry_run' };
}

/**
 * What every run of steps (bootstrap, destroy, backup) does before its first step: stale ztc-secure-* dirs
 * removed, the run lock taken (the s3 backend's session already holds the lock that spans machines; else the
 * checkout's run.lock), the state and private dirs made. `release` must be called when the run ends.
 */
export function openStepRun(
  p: Pick<StepRunContext, 'area' | 'privateDir' | 'env' | 'allSecretNames' | 'masker'>,
  opts: Pick<BootstrapOptions, 'tmpRoot' | 'signal' | 'killGraceMs'>,
  emit: EventSink,
  session: StateSession | undefined,
): { ctx: StepRunContext; release: () => void } {
  const tmpRoot = opts.tmpRoot ?? tmpdir();
  const cleaned = cleanStaleSecureDirs(tmpRoot);
  if (cleaned.length > 0) emit({ event: 'notice', message: `removed ${cleaned.length} stale ztc-secure-* dir(s) left by an interrupted run` });
  const release = session ? () => {} : acquireRunLock(p.area);
  try {
    mkdirSync(p.area.stateDir, { recursive: true });
    preparePrivateDir(p.privateDir);
  } catch (e) {
    release();
    throw e;
  }
  const ctx: StepRunContext = {
    area: p.area,
    privateDir: p.privateDir,
    env: p.env,
    allSecretNames: p.allSecretNames,
    masker: p.masker,
    emit,
    signal: opts.signal,
    killGraceMs: opts.killGraceMs,
    tmpRoot,
  };
  return { ctx, release };
}

async function execute(p: PreparedRun, opts: BootstrapOptions, emit: EventSink, counts: { ran: number; skipped: number }, session: StateSession | undefined): Promise<Ending> {
  const { ctx, release } = openStepRun(p, opts, emit, session);
  try {
    // The key of the secrets' digests in receipts; a new one when the private dir has none (steps with secrets then run).
    if (p.allSecretNames.size > 0 && p.digester.ensureKey()) {
      emit({ event: 'notice', message: `made the receipt digest key ${p.digester.keyFile}: back it up with the private dir (docs/bootstrap.md)` });
    }
    for (const stage of p.stages) if (stage.name !== 'validation') pruneReceipts(p.area, stage.name, opts.fresh ? [] : stage.steps.map((s) => s.step));
    reportRestored(p, emit);
    await session?.sync();
    const queue = runQueue(p);
    const order = queue.flatMap((stage) => stage.steps.map((s) => ({ stage: stage.name, ...s })));
    const total = order.length;
    let index = 0;
    /** Steps after the current one that would have run. */
    const rest = (): StepRef[] =>
      order
        .slice(index)
        .filter((s) => s.run)
        .map((s) => ({ step: s.step.id, stage: s.stage }));
    for (const stage of queue) {
      emit({ event: 'stage_started', stage: stage.name, steps: stage.steps.length });
      for (const { step, run, status, changes } of stage.steps) {
        if (opts.signal?.aborted) return { ...interrupted(opts.signal.reason, undefined), notRun: rest() };
        index++;
        if (!run) {
          counts.skipped++;
          emit({ event: 'step_skipped', step: step.id, stage: stage.name, reason: `done (receipt matches its ${RECEIPT_INPUTS})`, index, total });
          continue;
        }
        counts.ran++;
        const r = await withHeartbeat(ctx, stage.name, step, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, {
          index,
          total,
          ...(status && { status }),
          ...(changes?.length && { changes }),
        });
        const keeps = r.status === 'succeeded' && stage.name !== PREFLIGHT && stage.name !== 'validation';
        const secrets = keeps ? p.digester.of(step) : undefined;
        const receipt = secrets ? writeReceipt(p.area, stage.name as Stage, step, secrets.digests, secrets.keyId) : undefined;
        if (receipt) noteLocalReceipts(p.area, [receipt]);
        emit({
          event: 'step_finished',
          step: step.id,
          stage: stage.name,
          status: r.status,
          exit_code: r.exitCode,
          duration_ms: r.durationMs,
          required: step.required || stage.name === PREFLIGHT,
          log: r.log,
          receipt,
          index,
          total,
        });
        const unsynced = await pushState(session);
        if (unsynced) return { ...unsynced, notRun: rest() };
        const end = verdict(stage.name, step, r, opts.signal);
        if (end) return { ...end, notRun: rest() };
      }
    }
    return { exitCode: ExitCode.ok, outcome: 'succeeded' };
  } finally {
    release();
  }
}

/** Push what the step changed to the state backend (s3): undefined when done, else how the run ends (lock lost, backend not writable). */
export async function pushState(session: StateSession | undefined): Promise<Ending | undefined> {
  try {
    await session?.sync();
    return undefined;
  } catch (e) {
    if (!isZtcError(e)) throw e;
    return { exitCode: e.exitCode, outcome: 'failed', error: e };
  }
}

/** The command as the run lock names it. */
function commandLine(opts: BootstrapOptions): string {
  return `ztc bootstrap ${opts.platform}${opts.stage ? ` --stage ${opts.stage}` : ''}${opts.fresh ? ' --fresh' : ''}`;
}

/** Run one step, with a heartbeat event whenever it has been silent for `heartbeatMs`. */
export async function withHeartbeat(ctx: StepRunContext, stage: string, step: PipelineStep, heartbeatMs: number, position: Position & StartReason): Promise<StepRunResult> {
  const heartbeat = new Heartbeat({
    intervalMs: heartbeatMs,
    onBeat: (elapsed, silent) => ctx.emit({ event: 'heartbeat', step: step.id, stage, elapsed_ms: elapsed, silent_ms: silent }),
  });
  heartbeat.start();
  try {
    return await executeStep({ ...ctx, emit: (e) => (e.event === 'output' && heartbeat.touch(), ctx.emit(e)) }, stage, step, position);
  } finally {
    heartbeat.stop();
  }
}

/** Receipts the Nx cache put back (a cached stage target ran nothing): say which, once. */
function reportRestored(p: PreparedRun, emit: EventSink): void {
  const restored = findRestoredReceipts(p.area, p.pipeline);
  if (restored.stages.length === 0) return;
  emit({ event: 'receipts_restored', stages: restored.stages });
  noteLocalReceipts(p.area, restored.files);
}

/** What a finished step means for the run: undefined to go on, else how the run ends. */
export function verdict(stage: string, step: PipelineStep, r: StepRunResult, signal: AbortSignal | undefined): Ending | undefined {
  if (r.status === 'succeeded') return undefined;
  if (r.status === 'interrupted') return interrupted(signal?.reason, step.id);
  if (stage === PREFLIGHT) {
    const said = r.tail.filter((l) => l.trim()).join('\n  ');
    throw new ExitError(`pre-flight check ${step.id} failed (exit ${r.exitCode}); nothing was run${said ? `:\n  ${said}` : ''}\nlog: ${r.log}`, ExitCode.invalid);
  }
  if (!step.required) return undefined;
  const timedOut = r.status === 'timed_out';
  const what = timedOut ? `exceeded its timeout of ${step.timeout_seconds} s and was stopped` : `failed with exit code ${r.exitCode}`;
  const code = timedOut ? ExitCode.timeout : ExitCode.failed;
  return { exitCode: code, outcome: timedOut ? 'timed_out' : 'failed', error: new ExitError(`step ${step.id} (${stage}) ${what}; log: ${r.log}`, code) };
}

export function interrupted(reason: unknown, step: string | undefined, command = 'bootstrap'): Ending {
  const code = exitCodeForAbort(reason);
  const by = describeAbort(reason);
  const during = step ? ` during step ${step} (its process group was stopped; no receipt written)` : '';
  return { exitCode: code, outcome: 'interrupted', error: new ExitError(`${command} interrupted${by}${during}`, code) };
}
