import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
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
    ['an unknown required capability', { name: 'mail', requires: 'kubernetes-api, nope' }, "--requires: no contract for nope in tools/ztc/capabilities/ or the engine's (add one or fix the name)"],
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
