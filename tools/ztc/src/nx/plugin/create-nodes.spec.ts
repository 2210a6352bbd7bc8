import type { CreateNodesContext, CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { AggregateCreateNodesError } from '@nx/devkit';
import { cpSync } from 'node:fs';
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
  it('matches adapter.yaml and platform.yaml in one glob, anywhere (the roots are options)', () => {
    expect(createNodes[0]).toBe('**/{adapter,platform}.yaml');
  });

  it('makes every cached task hash sharedGlobals when nx.json defines it, and only then', async () => {
    const ws = fixtureWorkspace();
    const cached = (results: Results) => Object.values(projects(results)).flatMap((p) => Object.values(p.targets ?? {}).filter((t) => t.inputs));
    const without = cached(await run(ws));
    expect(without.length).toBeGreaterThan(5);
    expect(without.filter((t) => t.inputs!.includes('sharedGlobals'))).toEqual([]);
    const withShared = cached(
      (await createNodes[1](
        FILES,
        {},
        { workspaceRoot: ws.root, nxJsonConfiguration: { namedInputs: { sharedGlobals: ['{workspaceRoot}/.github/workflows/ci.yml'] } } },
      )) as Results,
    );
    expect(withShared.filter((t) => !t.inputs!.includes('sharedGlobals'))).toEqual([]);
  });

  it('takes projects only directly below the configured roots', async () => {
    const ws = fixtureWorkspace();
    for (const d of ['adapters', 'platforms']) cpSync(ws.path(d), ws.path(`infra/ztc/${d}`), { recursive: true });
    ws.write('infra/ztc/platforms/demo/generated/x/platform.yaml', 'not a platform');
    ws.write('docs/adapter.yaml', 'not an adapter');
    const options = { adaptersRoot: 'infra/ztc/adapters', platformsRoot: 'infra/ztc/platforms' };
    ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: '@ztc/engine/plugin', options }] }));
    const files = [...FILES, ...FILES.map((f) => `infra/ztc/${f}`), 'infra/ztc/platforms/demo/generated/x/platform.yaml', 'docs/adapter.yaml'];
    const results = (await createNodes[1](files, options, context(ws))) as Results;
    expect(Object.keys(projects(results)).sort()).toEqual(['infra/ztc/adapters/app', 'infra/ztc/adapters/net', 'infra/ztc/adapters/storage', 'infra/ztc/platforms/demo']);
    expect(projects(results)['infra/ztc/platforms/demo']!.targets!['split-config']!.outputs).toEqual(['{workspaceRoot}/infra/ztc/platforms/demo/.ztc/render/config']);
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
    const error = await run(ws).then(
      () => undefined,
      (e: unknown) => e,
    );
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
    const deps = await createDependencies(
      {},
      {
        projects: byName,
        workspaceRoot: ws.root,
        nxJsonConfiguration: {},
        externalNodes: {},
        fileMap: { projectFileMap: {}, nonProjectFiles: [] },
        filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      },
    );
    const edges = deps.map((d) => `${d.source}->${d.target} ${d.type} (${(d as { sourceFile?: string }).sourceFile ?? '-'})`).sort();
    expect(edges).toEqual([
      'app->net implicit (-)',
      'app->net2 implicit (-)',
      'app->storage implicit (-)',
      'demo->app static (platforms/demo/platform.yaml)',
      'demo->net static (platforms/demo/platform.yaml)',
      'demo->storage static (platforms/demo/platform.yaml)',
    ]);
  });

  it('links every adapter to the engine: its workspace project here, its npm node where it is installed', async () => {
    const ws = fixtureWorkspace();
    const byRoot = projects(await run(ws));
    const adapters = Object.fromEntries(Object.entries(byRoot).map(([root, c]) => [c.name!, { ...c, root }]));
    const ctx = {
      workspaceRoot: ws.root,
      nxJsonConfiguration: {},
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    };
    const engineEdges = async (projects: Record<string, ProjectConfiguration>, externalNodes = {}): Promise<string[]> =>
      (await createDependencies({}, { ...ctx, projects, externalNodes }))
        .filter((d) => !['app', 'net', 'storage'].includes(d.target))
        .map((d) => `${d.source}->${d.target} ${d.type} (${(d as { sourceFile?: string }).sourceFile})`)
        .sort();
    const engine = { name: '@ztc/engine', root: 'tools/ztc', metadata: { js: { packageName: '@ztc/engine' } } } as unknown as ProjectConfiguration;
    expect(await engineEdges({ ...adapters, '@ztc/engine': engine })).toEqual([
      'app->@ztc/engine static (adapters/app/render.ts)',
      'net->@ztc/engine static (adapters/net/render.ts)',
      'storage->@ztc/engine static (adapters/storage/render.ts)',
    ]);
    const npm = { 'npm:@ztc/engine': { type: 'npm', name: 'npm:@ztc/engine', data: { version: '0.1.0', packageName: '@ztc/engine' } } };
    expect(await engineEdges(adapters, npm)).toEqual([
      'app->npm:@ztc/engine static (adapters/app/render.ts)',
      'net->npm:@ztc/engine static (adapters/net/render.ts)',
      'storage->npm:@ztc/engine static (adapters/storage/render.ts)',
    ]);
    expect(await engineEdges(adapters)).toEqual([]);
  });
});
