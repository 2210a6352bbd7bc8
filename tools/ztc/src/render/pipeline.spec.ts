/**
 * pipeline.ts in-process: buildPipeline from adapters read from disk and render outputs given by hand,
 * so each rule (stage and adapter order, tools, contexts, digests) is seen without a whole render.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';
import { readAdapter } from '../adapter/read-adapter';
import type { AdapterManifest } from '../adapter/types';
import { ConfigError } from '../errors';
import { sha256 } from '../util/hash';
import { buildPipeline, serializePipeline, type PipelineInput } from './pipeline';
import type { AdapterOutput } from './render-adapter';

const PLATFORM = { name: 'demo', organization: 'acme', app_name: 'acme-demo' };

const output = (adapter: string, files: Record<string, string>, capabilities: Record<string, unknown> = {}): AdapterOutput => ({ adapter, files, capabilities, scriptContext: {} });

/** The fixture's adapters (net, storage, app) in render order, with outputs as their render modules would give. */
function input(ws: TempWorkspace, edit: (m: AdapterManifest) => AdapterManifest = (m) => m): PipelineInput {
  const order = ['net', 'storage', 'app'];
  const adapters = new Map(order.map((n) => [n, edit(readAdapter(ws.root, n))]));
  const outputs = new Map([
    ['net', output('net', { 'net/config.yaml': 'cidr: 10.9.0.0/16\n' }, { network: { cidr: '10.9.0.0/16', mtu: 9000 } })],
    ['storage', output('storage', { 'storage/classes/fast.yaml': 'name: fast\n' }, { volumes: { classes: ['fast'] } })],
    ['app', { ...output('app', { 'app/deployment.yaml': 'kind: Deployment\n' }), scriptContext: { deploy: { volume_classes: ['fast'] } } }],
  ]);
  const files = new Map([...outputs.values()].flatMap((o) => Object.entries(o.files)));
  const configs = new Map<string, Record<string, unknown>>([
    ['net', { cidr: '10.9.0.0/16', mtu: 9000 }],
    ['storage', { classes: ['fast'] }],
    ['app', { name: 'shop', replicas: 3 }],
  ]);
  return { workspaceRoot: ws.root, platform: PLATFORM, order, adapters, configs, outputs, files };
}

describe('buildPipeline', () => {
  it('lists every stage in the fixed order, steps in render order, with contexts resolved at render time', () => {
    const ws = fixtureWorkspace();
    const pipeline = buildPipeline(input(ws));
    expect(pipeline.stages.map((s) => s.name)).toEqual(['pre-work', 'bootstrap', 'post-work', 'validation']);
    const deploy = pipeline.stages[1]!.steps[0]!;
    expect(deploy).toMatchObject({
      id: 'app/deploy',
      adapter: 'app',
      script: 'adapters/app/scripts/bootstrap/deploy.sh',
      sha256: sha256(ws.read('adapters/app/scripts/bootstrap/deploy.sh')),
      secret_env: ['APP_TOKEN'],
      // A whole "{{ … }}" keeps its type; text around it makes a string; the render module's scriptContext is added.
      context: { name: 'shop', replicas: 3, cidr: '10.9.0.0/16', label: 'acme-shop', volume_classes: ['fast'] },
    });
    expect(deploy.files).toEqual({ 'app/deployment.yaml': sha256('kind: Deployment\n') });
    expect(pipeline.stages[3]!.steps.map((s) => s.id)).toEqual(['app/check']);
    expect(pipeline.preflight).toEqual([]);
  });

  it('follows the order it is given, not the names', () => {
    const ws = fixtureWorkspace();
    for (const a of ['net', 'storage']) ws.write(`adapters/${a}/scripts/bootstrap/deploy.sh`, `echo ${a}\n`);
    const withSteps = (m: AdapterManifest): AdapterManifest =>
      m.name === 'app' ? m : { ...m, scripts: { ...m.scripts, bootstrap: [{ ...readAdapter(ws.root, 'app').scripts.bootstrap[0]!, name: `${m.name}-step`, context: {} }] } };
    const base = input(ws, withSteps);
    const ids = (order: string[]): string[] => buildPipeline({ ...base, order }).stages[1]!.steps.map((s) => s.id);
    expect(ids(['net', 'storage', 'app'])).toEqual(['net/net-step', 'storage/storage-step', 'app/deploy']);
    expect(ids(['storage', 'net', 'app'])).toEqual(['storage/storage-step', 'net/net-step', 'app/deploy']);
  });

  it('merges the tools of all adapters by name, each with the adapters that need it and the first install given', () => {
    const ws = fixtureWorkspace();
    const tools: Record<string, AdapterManifest['tools']> = {
      net: [{ name: 'kubectl', install: 'apt-get install kubectl' }],
      app: [{ name: 'kubectl', install: 'brew install kubectl' }, { name: 'helm' }],
    };
    const pipeline = buildPipeline(input(ws, (m) => ({ ...m, tools: tools[m.name] ?? [] })));
    expect(pipeline.tools).toEqual([
      { name: 'helm', adapters: ['app'] },
      { name: 'kubectl', install: 'apt-get install kubectl', adapters: ['net', 'app'] },
    ]);
  });

  it('digests what each step reads: its script, its adapter’s rendered files', () => {
    const ws = fixtureWorkspace();
    const before = buildPipeline(input(ws)).stages[1]!.steps[0]!;
    ws.write('adapters/app/scripts/bootstrap/deploy.sh', '#!/usr/bin/env bash\necho changed\n');
    const edited = input(ws);
    const after = buildPipeline({ ...edited, files: new Map([...edited.files, ['app/deployment.yaml', 'kind: StatefulSet\n']]) }).stages[1]!.steps[0]!;
    expect(after.sha256).not.toBe(before.sha256);
    expect(after.files_sha256).not.toBe(before.files_sha256);
    expect(after.files).toEqual({ 'app/deployment.yaml': sha256('kind: StatefulSet\n') });
  });

  it('names the adapter.yaml and the script entry of a context that refers to nothing', () => {
    const ws = fixtureWorkspace();
    const broken = (m: AdapterManifest): AdapterManifest =>
      m.name === 'app' ? { ...m, scripts: { ...m.scripts, bootstrap: [{ ...m.scripts.bootstrap[0]!, context: { zone: '{{ capabilities.dns.zone }}' } }] } } : m;
    let error: unknown;
    try {
      buildPipeline(input(ws, broken));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        file: 'adapters/app/adapter.yaml',
        path: 'scripts.bootstrap[0].context',
        hint: 'reference config.<field>, platform.<field> or capabilities.<name>.<field>',
      }),
    ]);
  });
});

describe('teardown and backup', () => {
  it('lists teardown steps with adapters in reverse order (each adapter’s steps as listed, purge kept) and backup in render order', () => {
    const ws = fixtureWorkspace();
    for (const a of ['net', 'storage']) ws.write(`adapters/${a}/scripts/bootstrap/deploy.sh`, `echo ${a}\n`);
    const deploy = (m: AdapterManifest) => m.scripts.bootstrap[0] ?? readAdapter(ws.root, 'app').scripts.bootstrap[0]!;
    const decl = (m: AdapterManifest, name: string, extra = {}) => ({ ...deploy(m), name, context: { who: name }, ...extra });
    const pipeline = buildPipeline(
      input(ws, (m) => ({
        ...m,
        teardown: [decl(m, `${m.name}-down`), ...(m.name === 'net' ? [decl(m, 'net-forget', { purge: 'deletes the network for good' })] : [])],
        ...(m.name !== 'storage' && { backup: decl(m, `${m.name}-backup`) }),
      })),
    );
    expect(pipeline.teardown.map((s) => s.id)).toEqual(['app/app-down', 'storage/storage-down', 'net/net-down', 'net/net-forget']);
    expect(pipeline.teardown[3]).toMatchObject({ purge: 'deletes the network for good', context: { who: 'net-forget' } });
    expect(pipeline.teardown[0]).not.toHaveProperty('purge');
    expect(pipeline.backup.map((s) => s.id)).toEqual(['net/net-backup', 'app/app-backup']);
  });

  it("fills a purge text's {{ context.<path> }} from the step's own context, and names the field it cannot fill", () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/scripts/bootstrap/deploy.sh', 'echo net\n');
    const deploy = readAdapter(ws.root, 'app').scripts.bootstrap[0]!;
    const withPurge = (purge: string) =>
      input(ws, (m) => (m.name === 'net' ? { ...m, teardown: [{ ...deploy, name: 'forget', context: { bucket: 'acme-secrets', key: 'net/state' }, purge }] } : m));
    expect(buildPipeline(withPurge('deletes s3://{{ context.bucket }}/{{ context.key }} for good')).teardown[0]!.purge).toBe('deletes s3://acme-secrets/net/state for good');
    let error: unknown;
    try {
      buildPipeline(withPurge('deletes {{ context.nope }}'));
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).issues).toEqual([expect.objectContaining({ file: 'adapters/net/adapter.yaml', path: 'scripts.teardown[0].purge' })]);
  });

  it('orders teardown by when bootstrap last acts on each adapter, not by render order', () => {
    const ws = fixtureWorkspace();
    for (const a of ['net', 'storage']) ws.write(`adapters/${a}/scripts/bootstrap/deploy.sh`, `echo ${a}\n`);
    const deploy = readAdapter(ws.root, 'app').scripts.bootstrap[0]!;
    // net renders first but installs last (post-work); storage installs in pre-work; app in bootstrap.
    const pipeline = buildPipeline(
      input(ws, (m) => ({
        ...m,
        scripts: {
          ...m.scripts,
          ...(m.name === 'net' && { 'post-work': [{ ...deploy, name: 'cni', context: {} }] }),
          ...(m.name === 'storage' && { 'pre-work': [{ ...deploy, name: 'disks', context: {} }] }),
        },
        teardown: [{ ...deploy, name: `${m.name}-down`, context: {} }],
      })),
    );
    expect(pipeline.teardown.map((s) => s.id)).toEqual(['net/net-down', 'app/app-down', 'storage/storage-down']);
  });

  it('writes empty lists when no adapter has teardown or backup', () => {
    const pipeline = buildPipeline(input(fixtureWorkspace()));
    expect(pipeline).toMatchObject({ teardown: [], backup: [] });
  });
});

describe('serializePipeline', () => {
  it('writes YAML under a do-not-edit header naming the platform, the same text every time', () => {
    const pipeline = buildPipeline(input(fixtureWorkspace()));
    const text = serializePipeline(pipeline);
    expect(text.split('\n')[0]).toBe('# Generated by ztc for platform demo. Do not edit; run "ztc render demo".');
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(pipeline)));
    expect(serializePipeline(structuredClone(pipeline))).toBe(text);
  });
});
