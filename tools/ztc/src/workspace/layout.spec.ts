import { cpSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { fixtureWorkspace, REPO_ROOT, tempWorkspace } from '../../testing/temp-workspace';
import { DEFAULT_LAYOUT, isZtcPlugin, readLayout } from './layout';

const nxJson = (options: object, plugin = '@ztc/engine/plugin'): string => JSON.stringify({ plugins: ['@nx/js/typescript', { plugin, options }] });

describe('workspace layout (nx.json plugin options)', () => {
  it('is the default layout without nx.json, without the plugin, or without options', () => {
    expect(readLayout(tempWorkspace().root)).toEqual(DEFAULT_LAYOUT);
    expect(readLayout(tempWorkspace({ 'nx.json': '{"plugins": ["@nx/js/typescript"]}' }).root)).toEqual(DEFAULT_LAYOUT);
    expect(readLayout(REPO_ROOT)).toEqual(DEFAULT_LAYOUT);
  });

  it('reads the roots from the plugin entry (by package name, by subpath, or by a path into the package), comments allowed', () => {
    const ws = tempWorkspace({ 'nx.json': `{\n  // ZTC\n  ${nxJson({ adaptersRoot: 'infra/adapters/', platformsRoot: './infra/platforms' }).slice(1)}` });
    expect(readLayout(ws.root)).toEqual({ adaptersRoot: 'infra/adapters', platformsRoot: 'infra/platforms', capabilitiesRoot: 'tools/ztc/capabilities' });
    ws.write('nx.json', nxJson({ capabilitiesRoot: 'infra/contracts' }, '@ztc/engine'));
    expect(readLayout(ws.root).capabilitiesRoot).toBe('infra/contracts');
    expect(isZtcPlugin('./tools/ztc/nx-plugin.js', REPO_ROOT)).toBe(true);
    expect(isZtcPlugin('./node_modules/@ztc/engine/nx-plugin.js', '/elsewhere')).toBe(true);
    expect(isZtcPlugin('@nx/js/typescript', REPO_ROOT)).toBe(false);
  });

  it('is what the CLI uses: render, validate and plan work on adapters and platforms under custom roots', async () => {
    const ws = fixtureWorkspace();
    for (const d of ['adapters', 'platforms']) {
      cpSync(ws.path(d), ws.path(`infra/ztc/${d}`), { recursive: true });
      rmSync(ws.path(d), { recursive: true });
    }
    cpSync(ws.path('tools/ztc/capabilities'), ws.path('infra/ztc/contracts'), { recursive: true });
    rmSync(ws.path('tools'), { recursive: true });
    ws.write('nx.json', nxJson({ adaptersRoot: 'infra/ztc/adapters', platformsRoot: 'infra/ztc/platforms', capabilitiesRoot: 'infra/ztc/contracts' }));
    const render = await runCli(['render'], ws.root);
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout).toContain('infra/ztc/platforms/demo: rendered 5 files from 3 adapters');
    expect(ws.read('infra/ztc/platforms/demo/pipeline.yaml')).toContain('script: infra/ztc/adapters/app/scripts/bootstrap/deploy.sh');
    expect((await runCli(['validate', 'demo'], ws.root)).code).toBe(0);
    ws.write('infra/ztc/adapters/net/templates/extra.txt', 'x\n');
    const drift = await runCli(['validate', 'demo', '--json'], ws.root);
    expect(drift.code).toBe(2);
    expect(JSON.parse(drift.stdout)).toMatchObject({ drift: [{ path: 'infra/ztc/adapters/net' }] });
    expect((await runCli(['plan', 'demo'], ws.root)).stdout).toContain('infra/ztc/platforms/demo:');
  });

  it('refuses a root outside the workspace, naming nx.json', async () => {
    const ws = fixtureWorkspace();
    ws.write('nx.json', nxJson({ platformsRoot: '../other' }));
    const r = await runCli(['render'], ws.root);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nx.json: plugins[ztc].options.platformsRoot: must be a folder inside the workspace, got "../other"');
  });

  it('refuses an nx.json that does not parse, naming the file, line and column (exit 3)', async () => {
    const ws = fixtureWorkspace();
    ws.write('nx.json', '{\n  // ZTC\n  "plugins": ["@ztc/engine/plugin",],\n  "namedInputs": { "default": }\n}\n');
    const r = await runCli(['render'], ws.root);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nx.json: invalid JSON: line 4, column 31: a value expected');
  });
});
