/**
 * render-memo.ts in-process: what is remembered, and when a remembered result is no longer used. (The
 * memo key needs the engine's build identity, so render-memo.spec.ts covers the key through the real bin.)
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, tempWorkspace, type TempWorkspace } from '../../testing/temp-workspace';
import { readAdapter } from '../adapter/read-adapter';
import { engineIdentity, loadedPackages, recall, remember, renderMemoKey } from './render-memo';

const RESULT = { files: { 'net/config.yaml': 'mtu: 9000\n' }, capabilities: { network: { cidr: '10.9.0.0/16', mtu: 9000 } } };

/** A workspace with an npm package `name` (version `version`) under node_modules. */
function withPackage(name: string, version: string): TempWorkspace {
  const ws = tempWorkspace({}, { nodeModules: 'own' });
  ws.write(`node_modules/${name}/package.json`, JSON.stringify({ name, version, main: 'index.js' }));
  ws.write(`node_modules/${name}/index.js`, `module.exports = ${JSON.stringify(version)};\n`);
  return ws;
}

describe('render memo', () => {
  it('gives back what was remembered under a key, and nothing for another key', () => {
    const ws = tempWorkspace();
    const key = randomUUID();
    remember(ws.root, key, RESULT, []);
    expect(recall(ws.root, key)).toEqual(RESULT);
    expect(recall(ws.root, randomUUID())).toBeUndefined();
  });

  it('forgets a result once an npm package the module loaded has another package.json', () => {
    const ws = withPackage('left-pad-ish', '1.0.0');
    const key = randomUUID();
    remember(ws.root, key, RESULT, [ws.path('node_modules/left-pad-ish/package.json')]);
    const packages = new Set<string>();
    expect(recall(ws.root, key, packages)).toEqual(RESULT);
    expect([...packages]).toEqual([ws.path('node_modules/left-pad-ish/package.json')]);
    ws.write('node_modules/left-pad-ish/package.json', JSON.stringify({ name: 'left-pad-ish', version: '1.0.1', main: 'index.js' }));
    expect(recall(ws.root, key)).toBeUndefined();
  });

  it('checks a package inside the workspace against the workspace that asks', () => {
    const first = withPackage('left-pad-ish', '1.0.0');
    const key = randomUUID();
    remember(first.root, key, RESULT, [first.path('node_modules/left-pad-ish/package.json')]);
    expect(recall(withPackage('left-pad-ish', '1.0.0').root, key)).toEqual(RESULT);
    expect(recall(withPackage('left-pad-ish', '2.0.0').root, key)).toBeUndefined();
  });

  it('remembers nothing JSON cannot carry exactly, nor when a package it loaded is gone', () => {
    const ws = tempWorkspace();
    const inexact = randomUUID();
    remember(ws.root, inexact, { files: {}, capabilities: { network: { mtu: Number.NaN } } }, []);
    expect(recall(ws.root, inexact)).toBeUndefined();
    const gone = randomUUID();
    remember(ws.root, gone, RESULT, [ws.path('node_modules/never-installed/package.json')]);
    expect(recall(ws.root, gone)).toBeUndefined();
  });

  it('lists the npm packages a module loaded, scoped ones by scope and name', () => {
    const ws = withPackage('left-pad-ish', '1.0.0');
    ws.write('node_modules/@acme/util/package.json', JSON.stringify({ name: '@acme/util', version: '1.0.0', main: 'lib/index.js' }));
    ws.write('node_modules/@acme/util/lib/index.js', `module.exports = require('left-pad-ish');\n`);
    ws.write('adapters/net/render.js', `require('@acme/util');\nexports.render = () => ({ files: {} });\n`);
    createRequire(__filename)(ws.path('adapters/net/render.js'));
    expect(loadedPackages(ws.path('adapters/net/render.js'))).toEqual([ws.path('node_modules/@acme/util/package.json'), ws.path('node_modules/left-pad-ish/package.json')]);
    ws.write('adapters/net/other.js', 'exports.x = 1;\n');
    expect(loadedPackages(ws.path('adapters/net/other.js'))).toEqual([]);
  });

  it('has no key when the engine runs from its sources, so nothing is remembered then', () => {
    const ws = fixtureWorkspace();
    expect(engineIdentity()).toBeUndefined();
    expect(
      renderMemoKey(ws.root, readAdapter(ws.root, 'net'), { config: {}, platform: { name: 'demo', organization: 'acme', app_name: 'acme-demo' }, consumed: {} }),
    ).toBeUndefined();
  });
});
