/**
 * The `--json` contract (docs/json.md). Every JSON document and every JSON event line ztc prints carries
 * `format_version`; fields are only ever added within a version, never renamed, removed or given another
 * meaning. Next to every piece of prose a consumer might branch on there is a stable code: drift `code`,
 * plan step `status`, error `code`. Documents carry `command`, `ok` (true: the command did its job,
 * whatever it found; false: the error document below) and `exit_code`. On failure a command run with
 * `--json` still prints exactly one JSON document on stdout: the error document.
 */
import { ConfigError, isZtcError, type Issue } from './errors';

/** Bumped only for an incompatible change (a field removed, renamed or given another meaning). */
export const FORMAT_VERSION = 2;

export interface ErrorDocument {
  format_version: number;
  command: string;
  ok: false;
  exit_code: number;
  error: {
    /** Stable code: `invalid_configuration`, `usage_error`, `stale_render`, `internal_error`, … */
    code: string;
    message: string;
    /** For `invalid_configuration`: every problem, by file and JSON path. */
    issues?: Issue[];
  };
}

export function errorDocument(command: string, e: unknown): ErrorDocument {
  const zt = isZtcError(e);
  const exitCode = zt ? e.exitCode : 1;
  return {
    format_version: FORMAT_VERSION,
    command,
    ok: false,
    exit_code: exitCode,
    error: {
      code: zt ? (e.code ?? 'failed') : 'internal_error',
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof ConfigError && { issues: e.issues }),
    },
  };
}

const reported = new WeakSet<object>();

/** The error already reached `--json` output (bootstrap's run_finished event): no error document for it. */
export function markReported(e: unknown): void {
  if (e && typeof e === 'object') reported.add(e);
}

export function wasReported(e: unknown): boolean {
  return !!e && typeof e === 'object' && reported.has(e);
}
