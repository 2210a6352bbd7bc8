/**
 * What a bootstrap run reports, as data: the engine emits events, and a reporter turns them into
 * output. With `--json` each event is one JSON line on stdout (for CI and the Nx layer) and the human
 * text goes to stderr; otherwise the human text goes to stdout. Step output is shown live, line by
 * line, prefixed `[<step-id>] `. The engine masks every event before a reporter sees it.
 */
import type { Masker } from './masker';
import type { OutputStream, RunStatus } from './runner';
import type { StepStatus } from './receipts';

export type BootstrapEvent =
  | { event: 'run_started'; platform: string; stages: string[]; fresh: boolean; dry_run: boolean }
  | { event: 'stage_started'; stage: string; steps: number }
  | { event: 'step_started'; step: string; stage: string; adapter: string; description: string; timeout_seconds: number; log: string }
  | { event: 'output'; step: string; stream: OutputStream; line: string }
  | { event: 'step_finished'; step: string; stage: string; status: RunStatus; exit_code: number; duration_ms: number; required: boolean; log: string; receipt?: string }
  | { event: 'step_skipped'; step: string; stage: string; reason: string }
  | { event: 'step_planned'; step: string; stage: string; action: 'run' | 'skip'; status: StepStatus }
  | { event: 'notice'; message: string }
  | { event: 'run_finished'; platform: string; exit_code: number; outcome: RunOutcome; message?: string; duration_ms: number; ran: number; skipped: number };

export type RunOutcome = 'succeeded' | 'failed' | 'timed_out' | 'interrupted' | 'refused' | 'dry_run';

export type EventSink = (event: BootstrapEvent) => void;

export interface ReporterIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The human text for an event (undefined: nothing to say). */
export function describeEvent(e: BootstrapEvent): string | undefined {
  switch (e.event) {
    case 'run_started':
      return `ztc bootstrap ${e.platform}: ${e.dry_run ? 'dry run of ' : ''}${e.stages.join(' -> ')}${e.fresh ? ' (fresh: receipts ignored)' : ''}`;
    case 'stage_started':
      return `== ${e.stage} (${e.steps} step${e.steps === 1 ? '' : 's'})`;
    case 'step_started':
      return `[${e.step}] start: ${e.description} (timeout ${e.timeout_seconds} s)`;
    case 'output':
      return `[${e.step}] ${e.line}`;
    case 'step_finished': {
      const what = { succeeded: 'ok', failed: `FAILED with exit code ${e.exit_code}`, timed_out: 'TIMED OUT (exit 124)', interrupted: 'interrupted' }[e.status];
      const optional = e.status !== 'succeeded' && !e.required ? ' (optional step: continuing)' : '';
      return `[${e.step}] ${what} in ${seconds(e.duration_ms)}${optional}${e.status === 'succeeded' ? '' : `; log: ${e.log}`}`;
    }
    case 'step_skipped':
      return `[${e.step}] skipped: ${e.reason}`;
    case 'step_planned':
      return `[${e.step}] would ${e.action === 'run' ? 'run' : 'skip'} (${e.status})`;
    case 'notice':
      return e.message;
    case 'run_finished': {
      const counts = `${e.ran} ran, ${e.skipped} skipped`;
      return `ztc bootstrap ${e.platform}: ${e.outcome.replace('_', ' ')} (${counts}) in ${seconds(e.duration_ms)}${e.exit_code ? `, exit ${e.exit_code}` : ''}`;
    }
  }
}

/** An EventSink that prints events as JSON lines (`json`) or as human text. */
export function createReporter(io: ReporterIo, opts: { json: boolean }): EventSink {
  const human = opts.json ? io.err : io.out;
  return (event) => {
    if (opts.json) io.out(JSON.stringify(event));
    const text = describeEvent(event);
    if (text !== undefined) human(text);
  };
}

/** The event with every string in it masked: the engine sends each event through this once. */
export function maskEvent(event: BootstrapEvent, masker: Masker): BootstrapEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) out[k] = typeof v === 'string' ? masker.mask(v) : v;
  return out as BootstrapEvent;
}
