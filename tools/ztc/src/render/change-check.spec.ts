/**
 * The render-time change check (change-check.ts): a render module's `checkChange` sees the previous
 * pipeline.yaml's contexts and the new ones; a refusal is exit 3 naming platform.yaml and
 * `adapters.<name>`, and nothing is written. Through the real bin (its render stamp must never skip the
 * check when pipeline.yaml changed) and in-process.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, REPO_ROOT, type TempWorkspace } from '../../testing/temp-workspace';
import { defineChangeCheck } from '../index';
import type { ChangeCheck } from '../sdk/types';
import { checkChanges } from './change-check';
import { planRender } from './plan';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

/** app refuses lowering its replicas by more than one per render (as talos refuses breaking etcd quorum). */
const CHECK = `
export const checkChange = (previous: any, next: any): string[] => {
  const before = previous.scriptContext['app/deploy']?.replicas;
  const after = next.scriptContext['app/deploy']?.replicas;
  return before - after > 1
    ? [\`lowering app.replicas from \${before} to \${after} in one render would drop the quorum; lower it by one, render and bootstrap, then again\`]
    : [];
};
`;

function setUp(): { ws: TempWorkspace; ztc: (args: string[]) => ReturnType<typeof spawnSync>; replicas: (n: number) => void } {
  const ws = fixtureWorkspace();
  ws.write('adapters/app/render.ts', ws.read('adapters/app/render.ts') + CHECK);
  const platform = ws.read('platforms/demo/platform.yaml');
  const replicas = (n: number) => ws.write('platforms/demo/platform.yaml', platform.replace('    name: shop\n', `    name: shop\n    replicas: ${n}\n`));
  const ztc = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ws.root, encoding: 'utf8', timeout: 30_000 });
  return { ws, ztc, replicas };
}

describe('checkChange at render time', () => {
  it('refuses with exit 3 naming platform.yaml and adapters.<name>, writes nothing; validate is unaffected', () => {
    const { ws, ztc, replicas } = setUp();
    replicas(5);
    expect(ztc(['render', 'demo']).status).toBe(0);
    /** generated/, pipeline.yaml and lock.json with their mtimes: what a render writes. */
    const output = () => {
      const { files, mtimes } = snapshotDir(ws.path('platforms/demo'));
      for (const m of [files, mtimes]) delete m['platform.yaml'];
      return { files, mtimes };
    };
    const before = output();
    replicas(3);
    const refused = ztc(['render', 'demo']);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain(
      'platforms/demo/platform.yaml: adapters.app: lowering app.replicas from 5 to 3 in one render would drop the quorum; lower it by one, render and bootstrap, then again',
    );
    expect(output()).toEqual(before);
    // validate compares and changes nothing: drift, not a refusal.
    expect(ztc(['validate', 'demo']).status).toBe(2);
    replicas(4);
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(ws.read('platforms/demo/pipeline.yaml')).toContain('replicas: 4');
  });

  it('is not skipped by the render stamp when pipeline.yaml changed since the last render', () => {
    const { ws, ztc, replicas } = setUp();
    replicas(5);
    expect(ztc(['render', 'demo']).status).toBe(0);
    const five = ws.read('platforms/demo/pipeline.yaml');
    // A first render (no previous pipeline.yaml) is never checked.
    for (const f of ['pipeline.yaml', 'lock.json']) rmSync(ws.path(`platforms/demo/${f}`));
    replicas(2);
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(ztc(['render', 'demo']).stdout).toContain('up to date');
    // The previous render on disk is now the 5-replica one (a checkout of another branch): checked again.
    ws.write('platforms/demo/pipeline.yaml', five);
    const refused = ztc(['render', 'demo']);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('adapters.app: lowering app.replicas from 5 to 2');
    expect(ws.read('platforms/demo/pipeline.yaml')).toBe(five);
  });
});

describe('checkChanges', () => {
  const input = (ws: TempWorkspace, load: () => ChangeCheck | undefined) => {
    const plan = planRender(ws.root, 'demo');
    return {
      workspaceRoot: ws.root,
      platform: 'demo',
      platformFile: plan.platform.file,
      order: plan.resolution.order,
      adapters: plan.platform.adapters,
      next: plan.pipeline,
      load,
    };
  };

  it('is not called without a previous pipeline.yaml, nor for an adapter whose side did not change', () => {
    const { ws, ztc, replicas } = setUp();
    const calls: string[] = [];
    const load = () => defineChangeCheck((p, n) => (calls.push(Object.keys(n.scriptContext).join(',')), p === n ? [] : []));
    replicas(3);
    checkChanges(input(ws, load));
    expect(calls).toEqual([]);
    expect(ztc(['render', 'demo']).status).toBe(0);
    checkChanges(input(ws, load));
    expect(calls).toEqual([]);
    replicas(2);
    checkChanges(input(ws, load));
    // Only app changed; its side holds every step of app.
    expect(calls).toEqual(['app/deploy,app/check']);
  });

  it('a check that throws or returns something else than strings fails the render naming the module', () => {
    const { ws, ztc, replicas } = setUp();
    replicas(3);
    expect(ztc(['render', 'demo']).status).toBe(0);
    replicas(2);
    expect(() =>
      checkChanges(
        input(ws, () => () => {
          throw new Error('boom');
        }),
      ),
    ).toThrow('adapters/app/render.ts: checkChange: checkChange failed: boom');
    expect(() => checkChanges(input(ws, () => (() => 'no') as unknown as ChangeCheck))).toThrow('checkChange must return a list of strings');
  });
});
