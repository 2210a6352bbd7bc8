import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode, ExitError, isZtcError, UsageError, ZtcError } from './errors';
import { errorDocument } from './json-format';

describe('isZtcError', () => {
  it('accepts ZTC errors of every kind', () => {
    expect(isZtcError(new ZtcError('x', ExitCode.failed))).toBe(true);
    expect(isZtcError(ConfigError.one({ file: 'f', path: '', message: 'm' }))).toBe(true);
    expect(isZtcError(new UsageError('u'))).toBe(true);
    expect(isZtcError(new ExitError('t', ExitCode.timeout))).toBe(true);
  });

  it('refuses any other error that happens to carry a numeric exitCode (a failed subprocess), so it is reported as an internal error, exit 1', async () => {
    const { execa } = await import('execa');
    const failed = await execa('sh', ['-c', 'exit 2'], { reject: false });
    expect(failed.exitCode).toBe(2);
    const thrown = await execa('sh', ['-c', 'exit 2']).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    expect(isZtcError(thrown)).toBe(false);
    const lookalike = Object.assign(new Error('Command failed with exit code 2'), { exitCode: 2, code: 'drift' });
    expect(isZtcError(lookalike)).toBe(false);
    expect(errorDocument('render', lookalike)).toMatchObject({ exit_code: 1, error: { code: 'internal_error' } });
  });

  it('accepts a ZtcError thrown by a second copy of the module (another bundle of the engine)', async () => {
    // `as string` keeps tsc from resolving the query-suffixed path (the rule does not see that it must).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const other = (await import('./errors.ts?second-copy' as string)) as typeof import('./errors');
    expect(other.ZtcError).not.toBe(ZtcError);
    const e = new other.UsageError('from the other copy');
    expect(e instanceof ZtcError).toBe(false);
    expect(isZtcError(e)).toBe(true);
    expect(errorDocument('render', e)).toMatchObject({ exit_code: ExitCode.usage, error: { code: 'usage_error' } });
  });
});
