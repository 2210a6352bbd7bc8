import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeChild } from '../../testing/node-child';
import { tempWorkspace } from '../../testing/temp-workspace';
import { stateArea } from '../workspace/state-area';
import { acquireRunLock } from './run-lock';

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = nodeChild('process.exit(0);');
  await child.exited;
  return child.pid;
}

describe('run.lock', () => {
  it('lets exactly one of several processes take over a stale lock, however their steps interleave', async () => {
    const ws = tempWorkspace();
    const area = stateArea(ws.root, 'demo');
    const racers = Array.from({ length: 6 }, () =>
      nodeChild(`
        const { acquireRunLock } = src('bootstrap/run-lock.ts');
        const area = src('workspace/state-area.ts').stateArea(${JSON.stringify(ws.root)}, 'demo');
        for (;;) {
          console.log('ready');
          await line();
          let release;
          try { release = acquireRunLock(area); console.log('held'); } catch { console.log('busy'); }
          await line();
          release?.();
        }`),
    );
    const stale = await deadPid();
    mkdirSync(area.abs(area.root), { recursive: true });
    for (let round = 0; round < 4; round++) {
      for (const r of racers) expect(await r.nextLine()).toBe('ready');
      writeFileSync(area.abs(area.runLockFile), `${stale}\n`);
      for (const r of racers) r.send('go');
      const outcomes = await Promise.all(racers.map((r) => r.nextLine()));
      expect(
        outcomes.filter((o) => o === 'held'),
        `round ${round}: ${outcomes.join(' ')}`,
      ).toHaveLength(1);
      for (const r of racers) r.send('release');
    }
    for (const r of racers) expect(await r.nextLine()).toBe('ready');
    expect(readdirSync(area.abs(area.root))).toEqual([]);
  });

  it('refuses a second run while the first holds it (exit 3, code concurrent_run as with the s3 backend), naming the lock', () => {
    const ws = tempWorkspace();
    const area = stateArea(ws.root, 'demo');
    mkdirSync(area.abs(area.root), { recursive: true });
    const release = acquireRunLock(area);
    try {
      expect(() => acquireRunLock(area)).toThrow(
        expect.objectContaining({
          exitCode: 3,
          code: 'concurrent_run',
          message: expect.stringMatching(/^another bootstrap of demo is running \(.*\); wait for it to finish \(lock: platforms\/demo\/\.ztc\/run\.lock\)$/),
        }),
      );
    } finally {
      release();
    }
    expect(acquireRunLock(area)).toBeTypeOf('function');
  });
});
