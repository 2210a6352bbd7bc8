import type { TaskGraph } from '@nx/devkit';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { nodeChild } from '../../../../testing/node-child';
import { fixtureWorkspace, type TempWorkspace } from '../../../../testing/temp-workspace';
import { applyRenderPlan } from '../../../render/apply';
import { planRender } from '../../../render/plan';
import { runBatch, topologicalOrder, type BatchTaskResult } from './executor';
import { LeftOutLedger } from './lib/ledger';
import type { RenderExecutorSchema } from './schema';

const ADAPTERS = { net: [], storage: [], app: ['net', 'storage'] } as Record<string, string[]>;

/** The task graph Nx hands the batch for `nx run demo:render` (ids, options, `{ id }` edges). */
function demoGraph(only?: string[]): { graph: TaskGraph; inputs: Record<string, RenderExecutorSchema> } {
  const inputs: Record<string, RenderExecutorSchema> = { 'demo:split-config': { platform: 'demo', step: 'config' } };
  const deps: Record<string, string[]> = { 'demo:split-config': [] };
  for (const [a, providers] of Object.entries(ADAPTERS)) {
    inputs[`demo:render-${a}`] = { platform: 'demo', step: 'adapter', adapter: a };
    deps[`demo:render-${a}`] = ['demo:split-config', ...providers.map((p) => `demo:render-${p}`)];
  }
  inputs['demo:render'] = { platform: 'demo', step: 'assemble' };
  deps['demo:render'] = Object.keys(ADAPTERS).map((a) => `demo:render-${a}`);
  const ids = only ?? Object.keys(inputs);
  const graph = {
    roots: [],
    tasks: Object.fromEntries(ids.map((id) => [id, { id }])),
    dependencies: Object.fromEntries(ids.map((id) => [id, deps[id]!.filter((d) => ids.includes(d)).map((d) => ({ id: d }))])),
    continuousDependencies: {},
  } as unknown as TaskGraph;
  return { graph, inputs };
}

async function collect(ws: TempWorkspace, only?: string[], ledgerDir = join(ws.root, '.ledger')): Promise<Map<string, BatchTaskResult['result']>> {
  const { graph, inputs } = demoGraph(only);
  const out = new Map<string, BatchTaskResult['result']>();
  for await (const r of runBatch(ws.root, graph, inputs, new LeftOutLedger(ledgerDir, 'test'))) out.set(r.task, r.result);
  return out;
}

describe('render executor (batch)', () => {
  it('orders a batch so every step follows the steps it depends on', () => {
    expect(topologicalOrder(demoGraph().graph)).toEqual(['demo:split-config', 'demo:render-net', 'demo:render-storage', 'demo:render-app', 'demo:render']);
  });

  it('writes exactly what `ztc render` writes', async () => {
    const ws = fixtureWorkspace();
    const results = await collect(ws);
    expect([...results.values()].every((r) => r.success)).toBe(true);
    expect(results.get('demo:render')!.terminalOutput).toContain('platforms/demo: rendered');
    // The CLI path finds nothing to change: same files, pipeline.yaml and lock.json, byte for byte.
    expect(applyRenderPlan(ws.path('platforms/demo'), planRender(ws.root, 'demo')).changed).toBe(false);
  });

  it('refuses what the render module’s checkChange refuses, as `ztc render` does, writing nothing', async () => {
    const ws = fixtureWorkspace();
    ws.write(
      'adapters/app/render.ts',
      `${ws.read('adapters/app/render.ts')}export const checkChange = (p: any, n: any) => (n.scriptContext['app/deploy'].replicas < p.scriptContext['app/deploy'].replicas ? ['fewer replicas: one by one'] : []);\n`,
    );
    const platform = ws.read('platforms/demo/platform.yaml');
    ws.write('platforms/demo/platform.yaml', platform.replace('    name: shop\n', '    name: shop\n    replicas: 3\n'));
    expect([...(await collect(ws)).values()].every((r) => r.success)).toBe(true);
    const pipeline = ws.read('platforms/demo/pipeline.yaml');
    ws.write('platforms/demo/platform.yaml', platform.replace('    name: shop\n', '    name: shop\n    replicas: 2\n'));
    const results = await collect(ws);
    expect(results.get('demo:render')).toMatchObject({ success: false });
    expect(results.get('demo:render')!.terminalOutput).toContain('platforms/demo/platform.yaml: adapters.app: fewer replicas: one by one');
    expect(ws.read('platforms/demo/pipeline.yaml')).toBe(pipeline);
  });

  it('leaves out a consumer whose inputs did not change, and runs one whose payload did', async () => {
    const ws = fixtureWorkspace();
    await collect(ws);
    // net renders an extra comment: its files change, its network payload does not.
    ws.write('adapters/net/render.ts', ws.read('adapters/net/render.ts').replace('mtu: ${config.mtu}\\n', 'mtu: ${config.mtu}\\n# note\\n'));
    const cut = await collect(ws, ['demo:render-net', 'demo:render-app', 'demo:render'], join(ws.root, '.ledger1'));
    expect([...cut.keys()]).toEqual(['demo:render-net', 'demo:render']);
    expect(ws.read('platforms/demo/generated/net/config.yaml')).toContain('# note');

    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('mtu: 9000', 'mtu: 8000'));
    const full = await collect(ws, undefined, join(ws.root, '.ledger2'));
    expect([...full.keys()]).toEqual(['demo:split-config', 'demo:render-net', 'demo:render-app', 'demo:render']); // storage's slice is unchanged
    expect(applyRenderPlan(ws.path('platforms/demo'), planRender(ws.root, 'demo')).changed).toBe(false);
  });

  it('never leaves out a task whose own inputs changed, even when everything before it is unchanged', async () => {
    const ws = fixtureWorkspace();
    await collect(ws);
    // storage's section changes (split-config re-runs, net's slice stays), and net's own source changes.
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('classes: [standard, fast]', 'classes: [fast]'));
    ws.write('adapters/net/render.ts', ws.read('adapters/net/render.ts').replace('mtu: ${config.mtu}\\n', 'mtu: ${config.mtu}\\n# v2\\n'));
    const results = await collect(ws, undefined, join(ws.root, '.ledger4'));
    expect([...results.keys()]).toContain('demo:render-net');
    expect(ws.read('platforms/demo/generated/net/config.yaml')).toContain('# v2');
    expect(applyRenderPlan(ws.path('platforms/demo'), planRender(ws.root, 'demo')).changed).toBe(false);
  });

  it('stops leaving tasks out once a left-out task comes back in the same run (its cache entry was missing)', async () => {
    const ws = fixtureWorkspace();
    await collect(ws);
    const ledger = join(ws.root, '.ledger3');
    ws.write('adapters/net/render.ts', `${ws.read('adapters/net/render.ts')}\n// touched\n`);
    expect([...(await collect(ws, ['demo:render-net', 'demo:render-app', 'demo:render'], ledger)).keys()]).not.toContain('demo:render-app');
    // Nx looked demo:render-app up, missed, and sends it again with a consumer of its own: it must run now.
    expect([...(await collect(ws, ['demo:render-app', 'demo:render'], ledger)).keys()]).toEqual(['demo:render-app', 'demo:render']);
    expect([...(await collect(ws, ['demo:render-net', 'demo:render-app'], ledger)).keys()]).toEqual(['demo:render-net', 'demo:render-app']);
  });

  it('reports a render failure like the CLI and skips the tasks behind it', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/render.ts', 'export const render = () => { throw new Error("boom"); };\n');
    const results = await collect(ws);
    expect(results.get('demo:render-net')).toMatchObject({ success: false, status: 'failure' });
    expect(results.get('demo:render-net')!.terminalOutput).toContain('adapters/net/render.ts: render: render failed: boom');
    expect(results.get('demo:render-app')).toMatchObject({ success: false, status: 'skipped' });
    expect(results.get('demo:render')).toMatchObject({ success: false, status: 'skipped' });
    expect(results.get('demo:render-storage')).toMatchObject({ success: true });
  });

  it('waits for a `ztc render` of the same platform, and fails the render task naming it when the wait runs out', async () => {
    const ws = fixtureWorkspace();
    const holder = nodeChild(`
      const attempt = src('util/pid-lock.ts').tryLock(${JSON.stringify(ws.path('platforms/demo/.ztc/render.lock'))});
      console.log(attempt.held ? 'locked' : 'busy');
      await line();`);
    expect(await holder.nextLine()).toBe('locked');
    vi.stubEnv('ZTC_RENDER_LOCK_WAIT_SECONDS', '0');
    onTestFinished(() => void vi.unstubAllEnvs());
    const results = await collect(ws);
    expect(results.get('demo:render-app')).toMatchObject({ success: true });
    expect(results.get('demo:render')).toMatchObject({ success: false, status: 'failure' });
    expect(results.get('demo:render')!.terminalOutput).toContain(`another render of platform demo is running (pid ${holder.pid} on ${hostname()})`);
    expect(existsSync(ws.path('platforms/demo/generated'))).toBe(false);
  });

  it('reports an invalid platform.yaml section in split-config, with the file and path', async () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('mtu: 9000', 'mtu: big'));
    const results = await collect(ws);
    expect(results.get('demo:split-config')!.terminalOutput).toContain('platforms/demo/platform.yaml: adapters.net.mtu: expected integer');
    expect(results.get('demo:render')).toMatchObject({ status: 'skipped' });
  });

  it('removes the slice of an adapter that left the platform', async () => {
    const ws = fixtureWorkspace();
    await collect(ws);
    ws.write('platforms/demo/platform.yaml', 'version: "1.0"\nadapters:\n  net: {}\n');
    const { graph, inputs } = demoGraph(['demo:split-config']);
    for await (const r of runBatch(ws.root, graph, inputs, new LeftOutLedger(join(ws.root, '.l'), 't'))) expect(r.result.success).toBe(true);
    expect(() => readFileSync(ws.path('platforms/demo/.ztc/render/config/app.json'))).toThrow();
    expect(JSON.parse(ws.read('platforms/demo/.ztc/render/config/net.json'))).toEqual({
      platform: { name: 'demo' },
      config: { cidr: '10.0.0.0/16', mtu: 1500 },
      providers: {},
    });
    rmSync(ws.path('platforms/demo/.ztc'), { recursive: true });
  });
});

describe('render executor schema', () => {
  it('schema.json and schema.d.ts name the same options', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8')) as { properties: object; required: string[] };
    const dts = readFileSync(join(__dirname, 'schema.d.ts'), 'utf8');
    const declared = [...dts.matchAll(/^\s+(\w+)(\?)?:/gm)].map((m) => ({ name: m[1], optional: !!m[2] }));
    expect(declared.map((d) => d.name).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(
      declared
        .filter((d) => !d.optional)
        .map((d) => d.name)
        .sort(),
    ).toEqual([...schema.required].sort());
  });
});
