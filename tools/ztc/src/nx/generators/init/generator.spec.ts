import { readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { initGenerator } from './generator';

function workspace(nxJson: object = {}, files: Record<string, string> = {}): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('nx.json', JSON.stringify(nxJson));
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  return tree;
}
const plugins = (tree: Tree) => readNxJson(tree)!.plugins;

describe('init generator (nx add @ztc/engine)', () => {
  it("registers the plugin by package name with today's defaults and keeps the state area out of git", async () => {
    const tree = workspace({ plugins: ['@nx/js/typescript'] }, { '.gitignore': 'node_modules' });
    await initGenerator(tree, {});
    expect(plugins(tree)).toEqual(['@nx/js/typescript', { plugin: '@ztc/engine/plugin', options: {} }]);
    expect(tree.read('.gitignore', 'utf8')).toBe('node_modules\n# ZTC: per-platform state (render intermediates, receipts, logs)\nplatforms/*/.ztc\n');
  });

  it.each([
    ['targetDefaults', { targetDefaults: { test: { dependsOn: ['^build'] } } }, {}],
    ['root package.json scripts', {}, { 'package.json': JSON.stringify({ name: 'acme', scripts: { lint: 'eslint .' } }) }],
    ['a project.json target', {}, { 'libs/web/project.json': JSON.stringify({ name: 'web', targets: { render: { command: 'true' } } }) }],
  ])('prefixes every target "ztc-" when the workspace already configures one of the names (%s)', async (_why, nxJson, files) => {
    const tree = workspace(nxJson, files);
    await initGenerator(tree, {});
    expect(plugins(tree)).toEqual([{ plugin: '@ztc/engine/plugin', options: { targetPrefix: 'ztc-' } }]);
  });

  it('updates the existing registration: a path into the package becomes the package name, options merge, re-runs change nothing', async () => {
    const tree = workspace({ plugins: [{ plugin: './node_modules/@ztc/engine/nx-plugin.js', options: { externalDependencies: ['zod'] } }] });
    await initGenerator(tree, { adaptersRoot: 'infra/ztc/adapters', platformsRoot: 'infra/ztc/platforms' });
    const once = { plugin: '@ztc/engine/plugin', options: { externalDependencies: ['zod'], adaptersRoot: 'infra/ztc/adapters', platformsRoot: 'infra/ztc/platforms' } };
    expect(plugins(tree)).toEqual([once]);
    await initGenerator(tree, {});
    expect(plugins(tree)).toEqual([once]);
    expect(tree.read('.gitignore', 'utf8')!.match(/infra\/ztc\/platforms\/\*\/\.ztc/g)).toHaveLength(1);
  });

  it('refuses roots outside the workspace and writes nothing', async () => {
    const tree = workspace({});
    await expect(initGenerator(tree, { platformsRoot: '../elsewhere' })).rejects.toThrow(/platformsRoot: must be a folder inside the workspace/);
    expect(plugins(tree)).toBeUndefined();
  });

  it('keeps what validate compares byte for byte out of the formatter, and ZTC projects out of a release of every project', async () => {
    const tree = workspace({ release: { projects: ['*'] } }, { '.prettierignore': '/dist\n' });
    await initGenerator(tree, { platformsRoot: 'infra/platforms' });
    expect(tree.read('.prettierignore', 'utf8')).toBe(
      '/dist\n# ZTC: written by ztc init / ztc render and compared byte for byte by ztc validate; templates are filled in as written\n' +
        'infra/platforms/*/platform.yaml\ninfra/platforms/*/platform.schema.json\ninfra/platforms/*/generated\ninfra/platforms/*/pipeline.yaml\ninfra/platforms/*/lock.json\nadapters/*/templates\n',
    );
    expect(readNxJson(tree)!.release!.projects).toEqual(['*', '!tag:type:adapter', '!tag:type:platform']);
    await initGenerator(tree, {});
    expect(tree.read('.prettierignore', 'utf8')!.match(/# ZTC/g)).toHaveLength(1);
    expect(readNxJson(tree)!.release!.projects).toEqual(['*', '!tag:type:adapter', '!tag:type:platform']);
  });
});
