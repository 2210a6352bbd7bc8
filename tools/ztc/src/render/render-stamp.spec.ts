/**
 * The up-to-date stamp of `ztc render <platform>` (render-stamp.ts writes it, lib/render-stamp.js reads
 * it before the engine loads). What matters to a user: a render whose stamp holds prints "up to date"
 * without the engine, and after any change a render depends on, it never does. (That the stamp lists
 * every path a render touches: render-stamp-coverage.spec.ts.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickPlatform } from '../cli/command';
import { fixtureWorkspace, REPO_ROOT, type TempWorkspace } from '../../testing/temp-workspace';
import { applyRenderPlan } from './apply';
import { planRender } from './plan';
import { beginStamp, finishStamp, seenByRender, stampPaths, type StampSession } from './render-stamp';

const stampReader = require('../../lib/render-stamp.js') as { upToDate(argv: string[], cwd: string, bundle: () => string | undefined): string | undefined };
const upToDate = (argv: string[], cwd: string, bundle: string | undefined): string | undefined => stampReader.upToDate(argv, cwd, () => bundle);

const BUNDLE = 'cli-test.js';
const MESSAGE = 'platforms/demo: up to date (test)';

/**
 * A render as `ztc render demo` makes it, stamped for BUNDLE. `startedAt` defaults to a minute ahead,
 * so every file counts as settled: these tests are about which paths the stamp covers.
 */
function renderStamped(ws: TempWorkspace, opts: { cwd?: string; startedAt?: number; duringRender?: () => void; named?: boolean } = {}): { verified: boolean } {
  const cwd = opts.cwd ?? ws.root;
  const named = opts.named ?? true;
  const session = beginStamp(cwd, named ? 'demo' : null, opts.startedAt ?? Date.now() + 60_000, BUNDLE)!;
  const packages = new Set<string>();
  const plan = planRender(ws.root, pickPlatform(ws.root, named ? 'demo' : undefined), { packages });
  applyRenderPlan(ws.path('platforms/demo'), plan);
  opts.duringRender?.();
  return finishStamp(session, stampPaths(ws.root, cwd, plan, packages), MESSAGE);
}

const fast = (ws: TempWorkspace, cwd = ws.root): string | undefined => upToDate(['render', 'demo'], cwd, BUNDLE);

describe('render stamp: a change to anything a render depends on is never reported up to date', () => {
  /** What changes, how, and what the workspace needs first. */
  const changes: [string, (ws: TempWorkspace) => void, ((ws: TempWorkspace) => void)?][] = [
    ['a template of an adapter', (ws) => ws.write('adapters/net/render.ts', `${ws.read('adapters/net/render.ts')}\n// changed\n`)],
    ['a new file in an adapter folder', (ws) => ws.write('adapters/storage/templates/extra.txt', 'x\n')],
    ['a dot-file in a nested adapter folder', (ws) => ws.write('adapters/app/deep/.keep', '')],
    ['platform.yaml', (ws) => ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace(/mtu: \d+/, 'mtu: 1400'))],
    ['a generated file edited by hand', (ws) => ws.write('platforms/demo/generated/net/config.yaml', 'edited: true\n')],
    ['a generated file removed', (ws) => fs.rmSync(ws.path('platforms/demo/generated/net/config.yaml'))],
    ['a stray file in generated/', (ws) => ws.write('platforms/demo/generated/stray.yaml', 'a: 1\n')],
    ['lock.json', (ws) => ws.write('platforms/demo/lock.json', `${ws.read('platforms/demo/lock.json')} `)],
    ['pipeline.yaml', (ws) => fs.rmSync(ws.path('platforms/demo/pipeline.yaml'))],
    ['nx.json (where the adapters and platforms are)', (ws) => ws.write('nx.json', '{ "plugins": [] }\n')],
    ['a capability contract of the workspace', (ws) => ws.write('tools/ztc/capabilities/extra.json', '{}\n')],
    [
      'the file a symbolic link in an adapter folder points to',
      (ws) => ws.write('shared/banner.txt', 'v2\n'),
      (ws) => {
        ws.write('shared/banner.txt', 'v1\n');
        fs.symlinkSync(ws.path('shared/banner.txt'), ws.path('adapters/app/templates/banner.txt'));
      },
    ],
    [
      'the package.json of an npm package a render module loaded',
      (ws) => ws.write('adapters/net/node_modules/mtu-lib/package.json', '{ "name": "mtu-lib", "version": "1.0.1", "main": "index.js" }\n'),
      (ws) => {
        ws.write('adapters/net/node_modules/mtu-lib/package.json', '{ "name": "mtu-lib", "version": "1.0.0", "main": "index.js" }\n');
        ws.write('adapters/net/node_modules/mtu-lib/index.js', 'exports.double = (n) => n * 2;\n');
        ws.write('adapters/net/render.ts', `import { double } from 'mtu-lib';\nvoid double;\n${ws.read('adapters/net/render.ts')}`);
      },
    ],
  ];

  it.each(changes)('%s', (_what, change, setUp) => {
    const ws = fixtureWorkspace();
    ws.write('adapters/app/deep/readme.txt', 'nested\n');
    setUp?.(ws);
    expect(renderStamped(ws).verified).toBe(true);
    expect(fast(ws)).toBe(MESSAGE);
    change(ws);
    expect(fast(ws)).toBeUndefined();
  });

  it('an nx.json appearing between the working directory and the workspace root (another workspace)', () => {
    const ws = fixtureWorkspace();
    const cwd = ws.path('platforms/demo');
    expect(renderStamped(ws, { cwd }).verified).toBe(true);
    expect(fast(ws, cwd)).toBe(MESSAGE);
    ws.write('platforms/nx.json', '{}\n');
    expect(fast(ws, cwd)).toBeUndefined();
  });

  it('`ztc render` alone: another folder with a platform.yaml (the platform is no longer the only one)', () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/notes.md', 'not a platform\n');
    expect(renderStamped(ws, { named: false }).verified).toBe(true);
    expect(upToDate(['render'], ws.root, BUNDLE)).toBe(MESSAGE);
    expect(fast(ws)).toBeUndefined(); // the named render has a stamp of its own
    ws.write('platforms/second/platform.yaml', ws.read('platforms/demo/platform.yaml'));
    expect(upToDate(['render'], ws.root, BUNDLE)).toBeUndefined();
  });

  it('`ztc render` alone: a folder of the platforms folder that gains a platform.yaml', () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/draft/notes.txt', 'not yet a platform\n');
    expect(renderStamped(ws, { named: false }).verified).toBe(true);
    expect(upToDate(['render'], ws.root, BUNDLE)).toBe(MESSAGE);
    ws.write('platforms/draft/platform.yaml', ws.read('platforms/demo/platform.yaml'));
    expect(upToDate(['render'], ws.root, BUNDLE)).toBeUndefined();
  });

  it('another engine bundle, another command line, another platform name or folder', () => {
    const ws = fixtureWorkspace();
    renderStamped(ws);
    expect(fast(ws)).toBe(MESSAGE);
    expect(upToDate(['render', 'demo'], ws.root, 'cli-other.js')).toBeUndefined();
    expect(upToDate(['render', 'demo'], ws.root, undefined)).toBeUndefined();
    expect(upToDate(['render', 'demo', '--verbose'], ws.root, BUNDLE)).toBeUndefined();
    expect(upToDate(['validate', 'demo'], ws.root, BUNDLE)).toBeUndefined();
    expect(upToDate(['render', 'other'], ws.root, BUNDLE)).toBeUndefined();
    expect(upToDate(['render', 'demo'], ws.path('adapters'), BUNDLE)).toBeUndefined();
  });
});

describe('render stamp: only what the render provably saw is recorded as verified', () => {
  it('a file changed while the render ran leaves the stamp unverified; the next render verifies it', () => {
    const ws = fixtureWorkspace();
    expect(renderStamped(ws).verified).toBe(true);
    const now = Date.now();
    const during = renderStamped(ws, { startedAt: now, duringRender: () => ws.write('adapters/net/render.ts', `${ws.read('adapters/net/render.ts')}\n// late edit\n`) });
    expect(during.verified).toBe(false);
    expect(fast(ws)).toBeUndefined();
    // This render sees the edit (signed at its start) and writes a new lock.json, which only the next
    // render, finding it as this one left it, can vouch for.
    expect(renderStamped(ws, { startedAt: Date.now() }).verified).toBe(false);
    expect(renderStamped(ws, { startedAt: Date.now() }).verified).toBe(true);
    expect(fast(ws)).toBe(MESSAGE);
  });

  it('on a file system with coarse times, an unchanged signature proves nothing until it has settled', () => {
    const startedAt = 1_700_000_000_500; // ms
    const session = (before: Record<string, string>): StampSession => ({ cwd: '/', platform: 'p', bundle: BUNDLE, startedAt, before: new Map(Object.entries(before)) });
    const sig = (ctimeNs: bigint) => `f:10:${ctimeNs}:${ctimeNs}:7`;
    const recentFine = sig(1_700_000_000_123_456_789n); // changed 0.38 s before the render began
    const recentCoarse = sig(1_700_000_000_000_000_000n); // the same second, kept to the second
    const oldCoarse = sig(1_699_999_990_000_000_000n); // ten seconds before
    expect(seenByRender(session({ '/a': recentFine }), '/a', recentFine)).toBe(true);
    expect(seenByRender(session({ '/a': recentCoarse }), '/a', recentCoarse)).toBe(false);
    expect(seenByRender(session({}), '/a', recentFine)).toBe(false);
    expect(seenByRender(session({}), '/a', oldCoarse)).toBe(true);
    expect(seenByRender(session({ '/a': 'unreadable' }), '/a', 'unreadable')).toBe(false);
  });

  it('files changed just before a first render are verified by the render after it', () => {
    const ws = fixtureWorkspace();
    expect(renderStamped(ws, { startedAt: Date.now() }).verified).toBe(false);
    expect(fast(ws)).toBeUndefined();
    expect(renderStamped(ws, { startedAt: Date.now() }).verified).toBe(true);
    expect(fast(ws)).toBe(MESSAGE);
  });
});

describe('ztc render through the bin', () => {
  it('prints the same line from the stamp without the engine, and renders again after a change', { timeout: 60_000 }, () => {
    const ws = fixtureWorkspace();
    const cache = ws.path('.cache');
    // Each run reports on stderr the engine files it loaded (a preload listing Node's module cache at exit).
    ws.write('loaded.js', "process.on('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache))));\n");
    const ztc = () =>
      spawnSync(process.execPath, ['-r', ws.path('loaded.js'), join(REPO_ROOT, 'tools/ztc/bin/ztc.js'), 'render', 'demo'], {
        cwd: ws.root,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ZTC_CACHE_DIR: cache },
      });
    const engineLoaded = (run: { stderr: string }) => (JSON.parse(run.stderr) as string[]).some((f) => f.endsWith(join('dist', 'cli.js')));
    const first = ztc();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('platforms/demo: rendered');
    expect(engineLoaded(first)).toBe(true);
    // The files were just written: the second render (the engine) verifies what the first recorded.
    const second = ztc();
    expect(second.stdout).toMatch(/^platforms\/demo: up to date \(\d+ files, 3 adapters\)\n$/);
    expect(engineLoaded(second)).toBe(true);
    // The third answers from the stamp alone: the engine's build is not loaded.
    const third = ztc();
    expect(third.stdout).toBe(second.stdout);
    expect(engineLoaded(third)).toBe(false);

    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace(/mtu: \d+/, 'mtu: 1400'));
    const changed = ztc();
    expect(changed.status).toBe(0);
    expect(changed.stdout).toContain('wrote    generated/net/config.yaml');
    expect(ws.read('platforms/demo/generated/net/config.yaml')).toContain('1400');
  });
});
