/** How executors print an expected failure (as the CLI does) or a bug (with its stack). */
import { ConfigError, isZtcError } from '../../errors';

export function describeError(e: unknown): string {
  if (e instanceof ConfigError) {
    const n = e.issues.length;
    return [`error: invalid configuration (${n} problem${n === 1 ? '' : 's'}):`, ...e.message.split('\n').map((l) => `  ${l}`)].join('\n');
  }
  if (isZtcError(e)) return `error: ${e.message}`;
  const err = e instanceof Error ? e : new Error(String(e));
  return `internal error: ${err.message}\nThis is a bug in ztc; please report it.\n${err.stack ?? ''}`;
}

/**
 * Nx's logger, for the single-task executors. Loaded when first used: the batch implementations report
 * through their results and never need it, so a batch process does not load @nx/devkit.
 */
export function nxLogger(): typeof import('@nx/devkit').logger {
  return (require('@nx/devkit') as typeof import('@nx/devkit')).logger;
}
