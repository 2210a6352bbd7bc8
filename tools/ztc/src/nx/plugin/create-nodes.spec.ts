import type { CreateNodesContext, CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { AggregateCreateNodesError } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, type TempWorkspace } from '../../../testing/temp-workspace';
import { createDependencies } from './create-dependencies';
import { createNodes } from './create-nodes';

type Results = [string, CreateNodesResult][];
const FILES = ['adapters/app/adapter.yaml', 'adapters/net/adapter.yaml', 'adapters/storage/adapter.yaml', 'platforms/demo/platform.yaml'];

const context = (ws: TempWorkspace): CreateNodesContext => ({ workspaceRoot: ws.root, nxJsonConfiguration: {} });

async function run(ws: TempWorkspace, files = FILES): Promise<Results> {
  return (await createNodes[1](files, {}, context(ws))) as Results;
}

function projects(results: Results): Record<string, ProjectConfiguration> {
  return Object.assign({}, ...results.map(([, r]) => r.projects ?? {}));
}

describe('createNodes', () => {
  it('matches adapter.yaml and platform.yaml in one glob', () => {
    expect(createNodes[0]).toBe('{adapters,platforms}/*/{adapter,platform}.yaml');
  });

  it('infers a project per adapter and per platform, with tags and metadata', async () => {
    const ws = fixtureWorkspace();
    const p = projects(await run(ws));
    expect(p['adapters/net']).toMatchObject({
      name: 'net',
      projectType: 'library',
      tags: ['type:adapter', 'provides:network'],
      metadata: { capabilities: { provides: ['network'], requires: [] } },
    });
    expect(p['adapters/app']!.metadata).toMatchObject({ capabilities: { requires: ['network', 'volumes'] } });
    expect(typeof p['adapters/app']!.metadata!.description).toBe('string');
    expect(p['platforms/demo']).toMatchObject({ name: 'demo', projectType: 'application', tags: ['type:platform'], metadata: { adapters: ['net', 'storage', 'app'] } });
    expect(Object.keys(p['platforms/demo']!.targets!)).toEqual(expect.arrayContaining(['render-net', 'render-app', 'render', 'validate', 'bootstrap']));
  });

  it('reports an invalid adapter.yaml by file name and still returns every other project', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/storage/adapter.yaml', 'name: storage\nversion: one\n');
    const error = await run(ws).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    const agg = error as AggregateCreateNodesError;
    expect(agg.errors.map(([file]) => file)).toEqual(['adapters/storage/adapter.yaml']);
    expect(agg.errors[0]![1].message).toContain('adapters/storage/adapter.yaml: version');
    const names = Object.values(projects(agg.partialResults as Results)).map((c) => c.name);
    expect(names.sort()).toEqual(['app', 'demo', 'net']);
  });

  it('reports an unknown adapter and an unresolvable capability against platform.yaml', async () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/demo/platform.yaml', 'version: "1.0"\nadapters:\n  app: { name: shop }\n  nett: {}\n');
    const agg = (await run(ws).catch((e: unknown) => e)) as AggregateCreateNodesError;
    expect(agg.errors.map(([file]) => file)).toEqual(['platforms/demo/platform.yaml']);
    expect(agg.errors[0]![1].message).toMatch(/adapters\.nett: unknown adapter "nett"[\s\S]*did you mean "net"/);

    ws.write('platforms/demo/platform.yaml', 'version: "1.0"\nadapters:\n  app: { name: shop }\n');
    const again = (await run(ws).catch((e: unknown) => e)) as AggregateCreateNodesError;
    expect(again.errors[0]![1].message).toContain('requires capability "network" but no adapter in the platform provides it');
  });

  it('reads YAML only: a platform using a broken adapter is still wired for the rest', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/adapter.yaml', 'name: [');
    const agg = (await run(ws).catch((e: unknown) => e)) as AggregateCreateNodesError;
    expect(agg.errors.map(([file]) => file)).toEqual(['adapters/net/adapter.yaml']);
    const demo = projects(agg.partialResults as Results)['platforms/demo']!;
    expect(Object.keys(demo.targets!)).toContain('render-app');
    expect(Object.keys(demo.targets!)).not.toContain('render-net');
  });
});

describe('createDependencies', () => {
  it('links adapters to every provider of what they require, and platforms to the adapters they use', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net2/adapter.yaml', ws.read('adapters/net/adapter.yaml').replace('name: net', 'name: net2'));
    ws.write('adapters/net2/render.ts', ws.read('adapters/net/render.ts'));
    const byRoot = projects(await run(ws, [...FILES, 'adapters/net2/adapter.yaml']));
    const byName = Object.fromEntries(Object.values(byRoot).map((c) => [c.name!, { ...c, root: Object.keys(byRoot).find((r) => byRoot[r] === c)! }]));
    const deps = await createDependencies({}, { projects: byName, workspaceRoot: ws.root, nxJsonConfiguration: {}, externalNodes: {}, fileMap: { projectFileMap: {}, nonProjectFiles: [] }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] } });
    const edges = deps.map((d) => `${d.source}->${d.target} (${(d as { sourceFile?: string }).sourceFile})`).sort();
    expect(edges).toEqual([
      'app->net (adapters/app/adapter.yaml)',
      'app->net2 (adapters/app/adapter.yaml)',
      'app->storage (adapters/app/adapter.yaml)',
      'demo->app (platforms/demo/platform.yaml)',
      'demo->net (platforms/demo/platform.yaml)',
      'demo->storage (platforms/demo/platform.yaml)',
    ]);
    expect(deps.every((d) => d.type === 'static')).toBe(true);
  });
});
