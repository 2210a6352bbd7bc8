/**
 * Adapters installed as npm packages (a dependency whose package.json has `ztc.adapter`) render like the
 * workspace's own; lock.json says where each came from; a workspace adapter of the same name wins and
 * render and init say so.
 */
import { cpSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';
import { sha256 } from '../util/hash';
import { adapterPath, installedAdapters, listAdapters } from './workspace';

const NET_JS = `"use strict";
exports.render = (config) => ({
  files: { 'net/config.yaml': \`cidr: \${config.cidr}\\nmtu: \${config.mtu}\\n\` },
  capabilities: { network: { cidr: config.cidr, mtu: config.mtu } },
});
`;

/** The fixture's `net` adapter moved into node_modules as the package @acme/ztc-net (render compiled to JS). */
function installNet(ws: TempWorkspace, { declared = true } = {}): void {
  const pkg = 'node_modules/@acme/ztc-net';
  cpSync(ws.path('adapters/net'), ws.path(pkg), { recursive: true });
  rmSync(ws.path(`${pkg}/render.ts`));
  ws.write(`${pkg}/render.js`, NET_JS);
  ws.write(`${pkg}/adapter.yaml`, ws.read(`${pkg}/adapter.yaml`).replace('render: render.ts', 'render: render.js'));
  ws.write(`${pkg}/package.json`, JSON.stringify({ name: '@acme/ztc-net', version: '1.0.0', keywords: ['ztc-adapter'], ztc: { adapter: 'net' }, main: './render.js' }));
  ws.write('package.json', JSON.stringify({ name: 'acme', private: true, devDependencies: declared ? { '@acme/ztc-net': '1.0.0' } : {} }));
  ws.write('node_modules/.package-lock.json', JSON.stringify({ name: 'acme', lockfileVersion: 3, packages: { [pkg]: { version: '1.0.0', integrity: 'sha512-bmV0' } } }));
}

const lockOf = (ws: TempWorkspace): { adapters: Record<string, { source: string; source_hash: string; integrity?: string }> } =>
  JSON.parse(ws.read('platforms/demo/lock.json')) as ReturnType<typeof lockOf>;

describe('adapters installed as packages', () => {
  it('render the same files as the workspace copy, recorded in lock.json as package@version with its integrity', async () => {
    const ws = fixtureWorkspace({ nodeModules: 'own' });
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const fromWorkspace = ws.read('platforms/demo/generated/net/config.yaml');
    expect(lockOf(ws).adapters.net).toMatchObject({ source: 'adapters/net' });

    installNet(ws);
    rmSync(ws.path('adapters/net'), { recursive: true });
    expect(listAdapters(ws.root)).toEqual(['app', 'net', 'storage']);
    expect(adapterPath(ws.root, 'net')).toBe('node_modules/@acme/ztc-net');
    const render = await runCli(['render', 'demo'], ws.root);
    expect(render.code, render.stderr).toBe(0);
    expect(ws.read('platforms/demo/generated/net/config.yaml')).toBe(fromWorkspace);
    const lock = lockOf(ws);
    expect(lock.adapters.net).toEqual({ version: '1.0.0', source: 'npm:@acme/ztc-net@1.0.0', integrity: 'sha512-bmV0', source_hash: sha256('@acme/ztc-net@1.0.0') });
    expect(lock.adapters.app).toMatchObject({ source: 'adapters/app' });
    expect(lock.adapters.app!.integrity).toBeUndefined();
    expect((await runCli(['validate', 'demo'], ws.root)).code).toBe(0);
  });

  it('a workspace adapter of the same name wins, and render and init say so', async () => {
    const ws = fixtureWorkspace({ nodeModules: 'own' });
    installNet(ws);
    expect(adapterPath(ws.root, 'net')).toBe('adapters/net');
    const render = await runCli(['render', 'demo'], ws.root);
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout).toContain('note: adapter "net": adapters/net/ (this workspace) is used, not the installed @acme/ztc-net@1.0.0');
    expect(lockOf(ws).adapters.net).toMatchObject({ source: 'adapters/net' });
    const init = await runCli(['init', 'demo', '--non-interactive', '--skip-init-scripts'], ws.root);
    expect(init.stderr).toContain('note: adapter "net": adapters/net/ (this workspace) is used, not the installed @acme/ztc-net@1.0.0');
  });

  it('a package installed after package.json named it is found by the same process (the Nx daemon lives on)', () => {
    const ws = fixtureWorkspace({ nodeModules: 'own' });
    ws.write('package.json', JSON.stringify({ name: 'acme', private: true, devDependencies: { '@acme/ztc-net': '1.0.0' } }));
    expect([...installedAdapters(ws.root).keys()]).toEqual([]);
    installNet(ws); // `npm install`: the same package.json, a new node_modules/.package-lock.json
    expect([...installedAdapters(ws.root).keys()]).toEqual(['net']);
  });

  it('a package the workspace does not depend on is not an adapter of it', () => {
    const ws = fixtureWorkspace({ nodeModules: 'own' });
    installNet(ws, { declared: false });
    rmSync(ws.path('adapters/net'), { recursive: true });
    expect(listAdapters(ws.root)).toEqual(['app', 'storage']);
  });
});
