import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LeftOutLedger } from './ledger';

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ztc-ledger-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('LeftOutLedger', () => {
  it('allows leaving out until a task it recorded comes back, then never again in that invocation', () => {
    const d = dir();
    const first = new LeftOutLedger(d, 'run-1');
    expect(first.allows(['a', 'b'])).toBe(true);
    first.record(['b']);
    // A later batch of the same nx invocation reads the ledger from disk.
    expect(new LeftOutLedger(d, 'run-1').allows(['c'])).toBe(true);
    expect(new LeftOutLedger(d, 'run-1').allows(['b', 'c'])).toBe(false);
    expect(new LeftOutLedger(d, 'run-1').allows(['c'])).toBe(false);
    // Another invocation starts clean.
    expect(new LeftOutLedger(d, 'run-2').allows(['b'])).toBe(true);
  });

  it('costs only speed when the directory cannot be written', () => {
    const blocker = join(dir(), 'a-file');
    writeFileSync(blocker, '');
    const ledger = new LeftOutLedger(join(blocker, 'ledger'), 'x'); // a directory inside a file cannot exist
    ledger.record(['a']);
    expect(ledger.allows(['b'])).toBe(true);
  });
});
