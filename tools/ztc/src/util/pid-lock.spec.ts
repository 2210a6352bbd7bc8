import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeChild } from '../../testing/node-child';
import { tempWorkspace } from '../../testing/temp-workspace';
import { tryLock } from './pid-lock';

describe('pid lock', () => {
  it('is held by one taker at a time, names its holder, and is free again after release', () => {
    const file = tempWorkspace().path('.ztc/x.lock');
    const first = tryLock(file);
    expect(first.held).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(tryLock(file)).toEqual({ held: false, holder: expect.objectContaining({ pid: process.pid, host: hostname() }) });
    if (first.held) first.release();
    const again = tryLock(file);
    expect(again.held).toBe(true);
    if (again.held) again.release();
    expect(readdirSync(dirname(file))).toEqual([]);
  });

  it('takes over the lock of a dead process (also an old pid-only lock) and sweeps what dead takers left', async () => {
    const dead = nodeChild('process.exit(0);');
    await dead.exited;
    const file = tempWorkspace().path('locks/x.lock');
    mkdirSync(dirname(file));
    for (const stale of [`${JSON.stringify({ pid: dead.pid, host: hostname(), started: '1', nonce: 'n' })}\n`, `${dead.pid}\n`, '']) {
      writeFileSync(file, stale);
      writeFileSync(`${file}.takeover-0123456789abcdef-1`, JSON.stringify({ pid: dead.pid, host: hostname() }));
      writeFileSync(`${file}.tmp-${dead.pid}-abc`, 'x');
      const attempt = tryLock(file);
      expect(attempt.held).toBe(true);
      expect(readdirSync(dirname(file))).toEqual(['x.lock']);
      if (attempt.held) attempt.release();
    }
  });

  it('never takes over a lock whose pid now belongs to another process (start time differs)', async () => {
    const live = nodeChild('await line();');
    const file = tempWorkspace().path('x.lock');
    writeFileSync(file, JSON.stringify({ pid: live.pid, host: hostname(), started: '1', nonce: 'n' }));
    expect(tryLock(file).held).toBe(true);
  });

  it('leaves the lock of a live process and of another host alone', async () => {
    const live = nodeChild('await line();');
    const file = tempWorkspace().path('x.lock');
    writeFileSync(file, `${live.pid}\n`);
    expect(tryLock(file)).toEqual({ held: false, holder: { pid: live.pid, host: hostname() } });
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', nonce: 'n' }));
    expect(tryLock(file)).toEqual({ held: false, holder: { pid: 1, host: 'elsewhere' } });
  });
});
