/**
 * What a bootstrap run reports, as data: the engine emits events, and a reporter turns them into
 * output. With `--json` each event is one JSON line on stdout (for CI and the Nx layer, each with
 * `format_version`) and the human text goes to stderr; otherwise the human text goes to stdout. Step
 * output is shown live, line by line, prefixed `[<step-id>] ` (`[<step-id>] stderr: ` for the step's
 * stderr); a step's start, skip and end carry its position `[n/N]`; a step silent for a while gets a
 * heartbeat line; a failed run ends with the steps it did not run and the command that resumes it. The
 * engine masks every event before a reporter sees it.
 */
import { FORMAT_VERSION } from '../json-format';
import type { Masker } from './masker';
import type { OutputStream, RunStatus } from './runner';
import { describeChange, type Change } from './receipt-changes';
import type { StepStatus } from './receipts';

/**
 * Position of a step in the run: `index` of `total` (preflight and every step of the selected stages).
 * Absent for steps outside a run's queue (init scripts).
 */
export interface Position {
  index?: number;
  total?: number;
}

/** Why a stage step runs (absent for pre-flight checks and init scripts): its status and, when changed, what changed. */
export interface StartReason {
  status?: StepStatus;
  changes?: Change[];
}

export interface StepRef {
  step: string;
  stage: string;
}

/** The command of a run: bootstrap's events carry none; `ztc destroy` and `ztc backup` name themselves. */
export type RunCommand = 'destroy' | 'backup';

/** What `ztc destroy` deletes or keeps besides running teardown steps (docs/json.md). */
export type PurgeItem = 'private_dir' | 'state_backend' | 'local_state' | 'receipts';

export type BootstrapEvent =
  | { event: 'run_started'; platform: string; stages: string[]; fresh: boolean; dry_run: boolean; command?: RunCommand; purge_private?: boolean }
  | { event: 'receipts_restored'; stages: { stage: string; steps: string[] }[] }
  | { event: 'stage_started'; stage: string; steps: number }
  | ({ event: 'step_started'; step: string; stage: string; adapter: string; description: string; timeout_seconds: number; log: string; disruptive?: string } & Position &
      StartReason)
  | { event: 'output'; step: string; stream: OutputStream; line: string }
  | { event: 'heartbeat'; step: string; stage: string; elapsed_ms: number; silent_ms: number }
  | ({
      event: 'step_finished';
      step: string;
      stage: string;
      status: RunStatus;
      exit_code: number;
      duration_ms: number;
      required: boolean;
      log: string;
      receipt?: string;
    } & Position)
  | ({ event: 'step_skipped'; step: string; stage: string; reason: string } & Position)
  | ({
      event: 'step_planned';
      step: string;
      stage: string;
      action: 'run' | 'skip';
      status: StepStatus;
      changes?: Change[];
      disruptive?: string;
      /** destroy: the step's description, and for a purge step what it deletes for good. */
      description?: string;
      purge?: string;
      /** Why a step is skipped when it is not a receipt (a purge step without --purge-private). */
      reason?: string;
    } & Position)
  | {
      event: 'purge';
      item: PurgeItem;
      /** A path or an s3:// location. */
      location: string;
      /** would_*: a dry run; deleted/kept: done. */
      action: 'would_delete' | 'would_keep' | 'deleted' | 'kept';
      message: string;
    }
  | { event: 'notice'; message: string }
  | {
      event: 'run_finished';
      command?: RunCommand;
      platform: string;
      exit_code: number;
      outcome: RunOutcome;
      message?: string;
      /** Stable code of the error (see errors.ts ERROR_CODES). */
      error_code?: string;
      duration_ms: number;
      ran: number;
      skipped: number;
      /** After a failure, timeout or interruption: the steps that would have run next, in order. */
      not_run?: StepRef[];
      /** After a failure, timeout or interruption: the command that continues where this run stopped. */
      resume_command?: string;
    };

export type RunOutcome = 'succeeded' | 'failed' | 'timed_out' | 'interrupted' | 'refused' | 'dry_run';

export type EventSink = (event: BootstrapEvent) => void;

export interface ReporterIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (p: Position) => (p.index !== undefined && p.total !== undefined ? `[${p.index}/${p.total}] ` : '');
const wholeSeconds = (ms: number) => `${Math.round(ms / 1000)} s`;
/** The mark of a step that may disrupt a live system (adapter.yaml `disruptive:`). */
export const disruptiveMark = (what: string | undefined) => (what ? `  ! disruptive: ${what}` : '');

/** The human text for an event (undefined: nothing to say). */
export function describeEvent(e: BootstrapEvent): string | undefined {
  switch (e.event) {
    case 'run_started':
      if (e.command === 'destroy')
        return `ztc destroy ${e.platform}: ${e.dry_run ? 'dry run of ' : ''}the teardown steps${e.purge_private ? ', purge steps included (--purge-private)' : ''}`;
      if (e.command === 'backup') return `ztc backup ${e.platform}: ${e.dry_run ? 'dry run of ' : ''}the backup scripts`;
      return `ztc bootstrap ${e.platform}: ${e.dry_run ? 'dry run of ' : ''}${e.stages.join(' -> ')}${e.fresh ? ' (fresh: receipts ignored)' : ''}`;
    case 'stage_started':
      return `== ${e.stage} (${e.steps} step${e.steps === 1 ? '' : 's'})`;
    case 'receipts_restored':
      return e.stages.map((s) => `stage ${s.stage} came from the Nx cache: restored the receipts of ${s.steps.join(', ')} (not run on this machine)`).join('\n');
    case 'step_started': {
      const lines = [`${at(e)}[${e.step}] start: ${e.description} (timeout ${e.timeout_seconds} s)${disruptiveMark(e.disruptive)}`];
      if (e.changes?.length) lines.push(`[${e.step}] running because: ${e.changes.map(describeChange).join('; ')}`);
      return lines.join('\n');
    }
    case 'output':
      return e.stream === 'stderr' ? `[${e.step}] stderr: ${e.line}` : `[${e.step}] ${e.line}`;
    case 'heartbeat':
      return `[${e.step}] … still running after ${wholeSeconds(e.elapsed_ms)} (no output for ${wholeSeconds(e.silent_ms)})`;
    case 'step_finished': {
      const what = { succeeded: 'ok', failed: `FAILED with exit code ${e.exit_code}`, timed_out: 'TIMED OUT (exit 124)', interrupted: 'interrupted' }[e.status];
      const optional = e.status !== 'succeeded' && !e.required ? ' (optional step: continuing)' : '';
      return `${at(e)}[${e.step}] ${what} in ${seconds(e.duration_ms)}${optional}${e.status === 'succeeded' ? '' : `; log: ${e.log}`}`;
    }
    case 'step_skipped':
      return `${at(e)}[${e.step}] skipped: ${e.reason}`;
    case 'step_planned': {
      const what = e.description ? `: ${e.description}` : '';
      const why = e.reason ?? e.status;
      const lines = [`${at(e)}[${e.step}] would ${e.action === 'run' ? 'run' : 'skip'}${what} (${why})${disruptiveMark(e.disruptive)}`];
      if (e.purge) lines.push(`    purges: ${e.purge}`);
      if (e.changes?.length) lines.push(`    because: ${e.changes.map(describeChange).join('; ')}`);
      return lines.join('\n');
    }
    case 'purge':
      return e.message;
    case 'notice':
      return e.message;
    case 'run_finished': {
      const counts = `${e.ran} ran, ${e.skipped} skipped`;
      const lines = [
        `ztc ${e.command ?? 'bootstrap'} ${e.platform}: ${e.outcome.replace('_', ' ')} (${counts}) in ${seconds(e.duration_ms)}${e.exit_code ? `, exit ${e.exit_code}` : ''}`,
      ];
      if (e.not_run?.length) lines.push(`  not run (${e.not_run.length}): ${e.not_run.map((s) => `${s.step} (${s.stage})`).join(', ')}`);
      if (e.resume_command) lines.push(`  resume: ${e.resume_command}   (${e.command ? 'every step runs again' : 'steps with a matching receipt are skipped'})`);
      return lines.join('\n');
    }
  }
}

/** An EventSink that prints events as JSON lines (`json`) or as human text. */
export function createReporter(io: ReporterIo, opts: { json: boolean }): EventSink {
  const human = opts.json ? io.err : io.out;
  return (event) => {
    if (opts.json) io.out(JSON.stringify({ format_version: FORMAT_VERSION, ...event }));
    const text = describeEvent(event);
    if (text !== undefined) human(text);
  };
}

/** The event with every string in it masked: the engine sends each event through this once. */
export function maskEvent(event: BootstrapEvent, masker: Masker): BootstrapEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) out[k] = maskDeep(v, masker);
  return out as BootstrapEvent;
}

function maskDeep(v: unknown, masker: Masker): unknown {
  if (typeof v === 'string') return masker.mask(v);
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, masker));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x, masker)]));
  return v;
}
