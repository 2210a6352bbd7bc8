/**
 * Render modules that misbehave: ending the process, never returning, returning something different
 * each time, or importing code outside their folder. Through the real bin where the old behaviour
 * would end or hang the test process.
 */
import type { TaskGraph } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../nx/executors/render/executor';
import { LeftOutLedger } from '../nx/executors/render/lib/ledger';
import { runCli } from '../../testing/run-cli';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, REPO_ROOT, type TempWorkspace } from '../../testing/temp-workspace';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');
const NET_OK = "{ files: { 'net/config.yaml': `cidr: ${config.cidr}\\n` }, capabilities: { network: { cidr: config.cidr, mtu: config.mtu } } }";

function ztc(ws: TempWorkspace, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ws.root, encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
}

describe('a render module that misbehaves', () => {
  it.each([
    ['calls process.exit(0) in render', `export const render = (config: any) => { process.exit(0); return ${NET_OK}; };\n`, 'render called process.exit(0)'],
    ['calls process.exit(0) while loading', `process.exit(0);\nexport const render = (config: any) => (${NET_OK});\n`, 'loading called process.exit(0)'],
    [
      'swallows the error of its own process.exit(2)',
      `export const render = (config: any) => { try { process.exit(2); } catch {} return ${NET_OK}; };\n`,
      'render called process.exit(2)',
    ],
  ])('%s: exit 3 naming the module, nothing written', (_n, source, message) => {
    const ws = fixtureWorkspace();
    expect(ztc(ws, ['render', 'demo']).status).toBe(0);
    const before = snapshotDir(ws.path('platforms/demo'));
    ws.write('adapters/net/render.ts', source);
    const r = ztc(ws, ['render', 'demo']);
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain(`adapters/net/render.ts: render: ${message}`);
    expect(snapshotDir(ws.path('platforms/demo'))).toEqual(before);
  });

  it.each([
    ['in render', 'export const render = () => { for (;;) {} };\n', 'render'],
    ['while loading', `for (;;) {}\nexport const render = (config: any) => (${NET_OK});\n`, 'loading'],
  ])('that never returns (%s) is stopped after the time limit: exit 3 naming the module', (_n, source, what) => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/render.ts', source);
    const r = ztc(ws, ['render', 'demo'], { ZTC_RENDER_TIMEOUT_SECONDS: '0.5' });
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain(`adapters/net/render.ts: render: ${what} did not finish within 0.5 s and was stopped`);
    expect(r.stderr).toContain('ZTC_RENDER_TIMEOUT_SECONDS');
  });

  it.each([
    ['Math.random()', "'net/config.yaml': `seed: ${Math.random()}\\n`"],
    ['Date.now()', "'net/config.yaml': `at: ${Date.now()}\\n`"],
    ['the date of today', "'net/config.yaml': `day: ${new Date().toISOString().slice(0, 10)}\\n`"],
    ['crypto.randomUUID()', "'net/config.yaml': `id: ${require('node:crypto').randomUUID()}\\n`"],
  ])('whose output depends on %s is named by validate (exit 3), not reported as plain drift', async (_n, file) => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/render.ts', `export const render = (config: any) => ({ files: { ${file} }, capabilities: { network: { cidr: config.cidr, mtu: config.mtu } } });\n`);
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const r = await runCli(['validate', 'demo'], ws.root);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('adapters/net/render.ts: render: not deterministic: generated/net/config.yaml differs between two renders with the same inputs');
    expect(r.stderr).not.toContain('adapters/app/render.ts');
  });
});

describe('what a render module may import', () => {
  const USES_HELPER = `import { cidrLine } from '../../libs/net-helper';\nexport const render = (config: any) => ({ files: { 'net/config.yaml': cidrLine(config.cidr) }, capabilities: { network: { cidr: config.cidr, mtu: config.mtu } } });\n`;

  it('refuses a file outside the adapter folder (its changes would not re-render): exit 3 naming both', async () => {
    const ws = fixtureWorkspace();
    ws.write('libs/net-helper.ts', 'export const cidrLine = (c: string) => `cidr: ${c}\\n`;\n');
    ws.write('adapters/net/render.ts', USES_HELPER);
    const r = await runCli(['render', 'demo'], ws.root);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('adapters/net/render.ts: render: imports libs/net-helper.ts, which is outside adapters/net/ (from adapters/net/render.ts)');
    expect(r.stderr).toContain('move the code into adapters/net/');
  });

  it('refuses it in the Nx render task too', async () => {
    const ws = fixtureWorkspace();
    ws.write('libs/net-helper.ts', 'export const cidrLine = (c: string) => `cidr: ${c}\\n`;\n');
    ws.write('adapters/net/render.ts', USES_HELPER);
    // A partial task graph: what runBatch reads of it.
    const graph = {
      roots: [],
      tasks: { 'demo:split-config': { id: 'demo:split-config' }, 'demo:render-net': { id: 'demo:render-net' } },
      dependencies: { 'demo:split-config': [], 'demo:render-net': [{ id: 'demo:split-config' }] },
      continuousDependencies: {},
    } as unknown as TaskGraph;
    const inputs = { 'demo:split-config': { platform: 'demo', step: 'config' as const }, 'demo:render-net': { platform: 'demo', step: 'adapter' as const, adapter: 'net' } };
    const results = new Map<string, { success: boolean; terminalOutput?: string }>();
    for await (const r of runBatch(ws.root, graph, inputs, new LeftOutLedger(ws.path('.ledger'), 't'))) results.set(r.task, r.result);
    expect(results.get('demo:render-net')).toMatchObject({ success: false });
    expect(results.get('demo:render-net')!.terminalOutput).toContain('imports libs/net-helper.ts, which is outside adapters/net/');
  });

  it('refuses a symlink inside the adapter folder to a file outside it', async () => {
    const ws = fixtureWorkspace();
    ws.write('libs/net-helper.ts', 'export const cidrLine = (c: string) => `cidr: ${c}\\n`;\n');
    symlinkSync(ws.path('libs/net-helper.ts'), ws.path('adapters/net/helper.ts'));
    ws.write('adapters/net/render.ts', USES_HELPER.replace('../../libs/net-helper', './helper'));
    const r = await runCli(['render', 'demo'], ws.root);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('imports libs/net-helper.ts, which is outside adapters/net/');
  });

  it('accepts files of its own folder, @ztc/engine and npm packages', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/lib/line.ts', "import { stringify } from 'yaml';\nexport const cidrLine = (c: string) => stringify({ cidr: c });\n");
    ws.write(
      'adapters/net/render.ts',
      `import { defineRender } from '@ztc/engine';\nimport { cidrLine } from './lib/line';\nexport const render = defineRender((config: any) => ({ files: { 'net/config.yaml': cidrLine(config.cidr) }, capabilities: { network: { cidr: config.cidr, mtu: config.mtu } } }));\n`,
    );
    const r = await runCli(['render', 'demo'], ws.root);
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli(['validate', 'demo'], ws.root)).code).toBe(0);
  });
});
