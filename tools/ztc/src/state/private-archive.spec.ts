import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ageIdentities } from './private-archive';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A recipient (public key): what an operator pastes by mistake instead of the identity.
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

describe('the age identity that decrypts the private dir kept in the state backend', () => {
  it('is read from ZTC_STATE_AGE_KEY, or from the file ZTC_STATE_AGE_IDENTITY names (comments skipped)', () => {
    const key = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    expect(ageIdentities({ ZTC_STATE_AGE_KEY: key })).toEqual({ keys: [key], from: 'ZTC_STATE_AGE_KEY' });
    const dir = mkdtempSync(join(tmpdir(), 'ztc-age-id-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'key.txt'), `# created: 2026-12-07\n# public key: ${RECIPIENT}\n${key}\n`);
    expect(ageIdentities({ ZTC_STATE_AGE_IDENTITY: join(dir, 'key.txt') }).keys).toEqual([key]);
    expect(ageIdentities({}).keys).toEqual([]);
  });

  it('set to something that holds no identity is refused naming the variable, never its value (exit 3)', () => {
    let err: unknown;
    try {
      ageIdentities({ ZTC_STATE_AGE_KEY: RECIPIENT });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ exitCode: 3, message: expect.stringContaining('ZTC_STATE_AGE_KEY holds no age identity (no AGE-SECRET-KEY-1… line') });
    expect((err as Error).message).not.toContain(RECIPIENT);

    const dir = mkdtempSync(join(tmpdir(), 'ztc-age-id-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'recipients.txt'), `${RECIPIENT}\n`);
    expect(() => ageIdentities({ ZTC_STATE_AGE_IDENTITY: join(dir, 'recipients.txt') })).toThrow(
      expect.objectContaining({ exitCode: 3, message: expect.stringContaining(`ZTC_STATE_AGE_IDENTITY (${join(dir, 'recipients.txt')}) holds no age identity`) }),
    );
  });
});
