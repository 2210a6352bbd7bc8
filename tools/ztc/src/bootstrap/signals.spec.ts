import { describe, expect, it } from 'vitest';
import { describeAbort, exitCodeForAbort, LauncherGone, OUTPUT_CLOSED } from './signals';

describe('why a run was stopped, as exit code and words (CONTRACT §2: 130 SIGINT, 143 terminated)', () => {
  const launcher = new LauncherGone({ pid: 4242, started: '1234', command: 'npx ztc bootstrap' });
  it.each([
    ['SIGINT', 130, ' by SIGINT'],
    ['SIGTERM', 143, ' by SIGTERM'],
    [launcher, 143, ': the process that started ztc ended (pid 4242: npx ztc bootstrap)'],
    [OUTPUT_CLOSED, 143, ': its output can no longer be written (the reader went away)'],
    [undefined, 130, ''],
  ])('%s: exit %i', (reason, code, words) => {
    expect(exitCodeForAbort(reason)).toBe(code);
    expect(describeAbort(reason)).toBe(words);
  });
});
