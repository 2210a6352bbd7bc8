/**
 * The one error hierarchy of ZTC. Every expected failure is a `ZtcError` carrying the documented exit
 * code (CONTRACT §2); the CLI's single top-level handler maps it to output and exit status. Anything
 * else that reaches the handler is a bug and is reported as such (exit 1).
 */

/** Exit codes of CONTRACT §2. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  drift: 2,
  invalid: 3,
  usage: 64,
  timeout: 124,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem in one file: `file: path: message` (+ hint). */
export interface Issue {
  /** Workspace-relative file the problem is in. */
  file: string;
  /** JSON path inside the file (`adapters.talos.nodes[0].ip`), or '' for the whole file. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

export function formatIssue(issue: Issue): string {
  const where = issue.path ? `${issue.file}: ${issue.path}` : issue.file;
  return `${where}: ${issue.message}${issue.hint ? `\n  fix: ${issue.hint}` : ''}`;
}

/**
 * Stable, machine-readable error codes (the `code` of `--json` error documents), one per exit code; a
 * throw site may give a more specific one (`stale_render`, `missing_secret`, …). Codes never change
 * meaning; new ones may be added.
 */
export const ERROR_CODES: Record<number, string> = {
  [ExitCode.failed]: 'failed',
  [ExitCode.drift]: 'drift',
  [ExitCode.invalid]: 'invalid_input',
  [ExitCode.usage]: 'usage_error',
  [ExitCode.timeout]: 'timeout',
  [ExitCode.interrupted]: 'interrupted',
  [ExitCode.terminated]: 'terminated',
};

/**
 * Marks every ZtcError. `Symbol.for` is one symbol per process, so an error made by another copy of this
 * module (another bundle of the engine, an adapter's import of the SDK) is recognised too, while an
 * Error that merely has a numeric `exitCode` (execa's failed subprocess) is not.
 */
const ZTC_ERROR = Symbol.for('@ztc/engine.ZtcError');

export class ZtcError extends Error {
  readonly [ZTC_ERROR] = true;
  readonly exitCode: number;
  /** Stable machine-readable code (see ERROR_CODES). */
  readonly code: string;
  constructor(message: string, exitCode: number, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = this.constructor.name;
    this.exitCode = exitCode;
    this.code = options?.code ?? ERROR_CODES[exitCode] ?? 'failed';
  }
}

/** Invalid configuration or input: schema violations, unknown adapters, capability problems (exit 3). */
export class ConfigError extends ZtcError {
  readonly issues: Issue[];
  constructor(issues: Issue[], options?: { cause?: unknown }) {
    super(issues.map(formatIssue).join('\n'), ExitCode.invalid, { ...options, code: 'invalid_configuration' });
    this.issues = issues;
  }
  static one(issue: Issue): ConfigError {
    return new ConfigError([issue]);
  }
}

/** Unknown command or flag, wrong number of arguments (exit 64). */
export class UsageError extends ZtcError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A failure with a specific documented exit code and a ready-made message (step failed, timeout, …). */
export class ExitError extends ZtcError {}

/** A ZtcError, of this copy of the module or of another (the brand, not `instanceof`). */
export function isZtcError(e: unknown): e is ZtcError {
  return e instanceof ZtcError || (e instanceof Error && (e as Partial<Record<typeof ZTC_ERROR, unknown>>)[ZTC_ERROR] === true);
}
