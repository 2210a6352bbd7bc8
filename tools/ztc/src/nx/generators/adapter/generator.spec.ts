import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { logger } from '@nx/devkit';
import { describe, expect, it, vi } from 'vitest';
import { tempWorkspace } from '../../../../testing/temp-workspace';
import { adapterGenerator } from './generator';

function workspace(pluginOptions: object = {}): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: '@ztc/engine/plugin', options: pluginOptions }] }));
  return tree;
}

describe('adapter generator (nx g @ztc/engine:adapter)', () => {
  it('writes the adapter under the configured adapters root, with the prefixed targets in its hint', async () => {
    const tree = workspace({ adaptersRoot: 'infra/adapters', targetPrefix: 'ztc-' });
    await adapterGenerator(tree, { name: 'dns', requires: 'kubernetes-api' });
    expect(tree.read('infra/adapters/dns/adapter.yaml', 'utf8')).toContain('name: dns');
  });

  it.each([
    ['an existing adapter', { name: 'dns' }, '--name: adapters/dns already exists; choose another name'],
    [
      'an unknown required capability',
      { name: 'mail', requires: 'kubernetes-api, nope' },
      "--requires: no contract for nope in tools/ztc/capabilities/ or the engine's (add one or fix the name)",
    ],
    ['an unknown stage', { name: 'mail', stages: 'bootstrap,later' }, '--stages: unknown stage(s) later (expected pre-work, bootstrap, post-work, validation)'],
  ])('refuses %s and says what to change, writing nothing', async (_what, options, message) => {
    const tree = workspace();
    await adapterGenerator(tree, { name: 'dns' });
    const before = tree.listChanges().length;
    await expect(adapterGenerator(tree, options)).rejects.toThrow(message);
    expect(tree.listChanges().length).toBe(before);
  });

  it('refuses a target prefix that cannot start a target name', async () => {
    await expect(adapterGenerator(workspace({ targetPrefix: '-x' }), { name: 'dns' })).rejects.toThrow('ZTC plugin option targetPrefix: "-x" cannot start a target name');
  });
});

describe('adapter generator --from an installed package', () => {
  it('copies the package into the adapters folder with its TypeScript render module, and refuses what is not an adapter package', async () => {
    const { FsTree } = require('nx/src/generators/tree') as typeof import('nx/src/generators/tree');
    const ws = tempWorkspace(
      {
        'nx.json': '{}',
        'node_modules/@acme/ztc-dns/package.json': JSON.stringify({ name: '@acme/ztc-dns', version: '2.0.0', ztc: { adapter: 'dns' } }),
        'node_modules/@acme/ztc-dns/adapter.yaml': 'name: dns\nversion: 2.0.0\ndescription: DNS.\nrender: render.js\n',
        'node_modules/@acme/ztc-dns/render.js': 'exports.render = () => ({ files: {} });\n',
        'node_modules/@acme/ztc-dns/render.ts': 'export const render = () => ({ files: {} });\n',
        'node_modules/@acme/ztc-dns/scripts/bootstrap/apply.sh': '#!/usr/bin/env bash\necho apply\n',
        'node_modules/@acme/ztc-other/package.json': JSON.stringify({ name: '@acme/ztc-other', version: '1.0.0' }),
      },
      { nodeModules: 'own' },
    );
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    await adapterGenerator(new FsTree(ws.root, false), { name: 'dns', from: '@acme/ztc-dns' });
    expect(info).toHaveBeenLastCalledWith(expect.stringContaining('adapters/dns/ is a copy of @acme/ztc-dns: this workspace\'s adapter "dns" now wins over the package'));
    const tree = new FsTree(ws.root, false);
    await adapterGenerator(tree, { name: 'dns-custom', from: '@acme/ztc-dns' });
    // Under another name the copy replaces nothing: the package's "dns" still renders where a platform names it.
    expect(info).toHaveBeenLastCalledWith(expect.stringContaining('a new adapter "dns-custom" beside the package\'s "dns"'));
    expect(info.mock.lastCall?.[0]).not.toContain('wins over');
    info.mockRestore();
    const written = tree
      .listChanges()
      .map((c) => c.path)
      .sort();
    expect(written).toEqual(['adapters/dns-custom/adapter.yaml', 'adapters/dns-custom/render.ts', 'adapters/dns-custom/scripts/bootstrap/apply.sh']);
    expect(tree.read('adapters/dns-custom/adapter.yaml', 'utf8')).toBe('name: dns-custom\nversion: 2.0.0\ndescription: DNS.\nrender: render.ts\n');
    await expect(adapterGenerator(new FsTree(ws.root, false), { name: 'x', from: '@acme/ztc-other' })).rejects.toThrow('--from: @acme/ztc-other is not a ZTC adapter package');
    await expect(adapterGenerator(new FsTree(ws.root, false), { name: 'x', from: '@acme/nope' })).rejects.toThrow(
      '--from: package @acme/nope is not installed in this workspace (npm install -D @acme/nope, then run the generator again)',
    );
  });
});
