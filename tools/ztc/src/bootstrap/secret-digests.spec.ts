import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECEIPT_KEY_FILE, SecretDigester } from './secret-digests';

const dirs: string[] = [];
const privateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ztc-digest-key-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the receipt digest key', () => {
  it('is made once, 0600, and then used', () => {
    const dir = privateDir();
    const digester = new SecretDigester(dir, { TOKEN: 'value-1' });
    expect(digester.ensureKey()).toBe(true);
    expect(statSync(join(dir, RECEIPT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(digester.ensureKey()).toBe(false);
    const digest = digester.of({ secret_env: ['TOKEN'] }).digests.TOKEN;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(new SecretDigester(dir, { TOKEN: 'value-1' }).of({ secret_env: ['TOKEN'] }).digests.TOKEN).toBe(digest);
  });

  it('made by another run meanwhile is adopted, and not reported as made by this one', () => {
    const dir = privateDir();
    const digester = new SecretDigester(dir, { TOKEN: 'value-1' });
    const theirs = Buffer.alloc(32, 7);
    writeFileSync(join(dir, RECEIPT_KEY_FILE), theirs, { mode: 0o600 });
    expect(digester.ensureKey()).toBe(false);
    expect(readFileSync(join(dir, RECEIPT_KEY_FILE))).toEqual(theirs);
    expect(digester.hasKey).toBe(true);
  });

  it('of the wrong size is refused naming the file and the fix (exit 3)', () => {
    const dir = privateDir();
    writeFileSync(join(dir, RECEIPT_KEY_FILE), 'short');
    expect(() => new SecretDigester(dir, {})).toThrow(
      expect.objectContaining({ exitCode: 3, message: expect.stringContaining(`${join(dir, RECEIPT_KEY_FILE)} is not a receipt digest key (5 bytes, expected 32)`) }),
    );
  });
});
