import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace } from '../../testing/temp-workspace';
import { readPlatform } from './read-platform';

const HEAD = 'version: "1.0"\nplatform: { organization: acme, app_name: acme-demo }\n';
const OK_ADAPTERS = 'adapters:\n  app: { name: shop }\n  net: {}\n  storage: {}\n';

/** Each bad platform.yaml, and what the error must say (file, path, expectation, fix). */
const CASES: [string, string, string[]][] = [
  [
    'unknown adapter, with the closest name suggested',
    `${HEAD}adapters:\n  app: { name: shop }\n  nett: {}\n  storage: {}\n`,
    ['adapters.nett', 'unknown adapter "nett"', 'did you mean "net"?'],
  ],
  [
    'unknown field, with the allowed ones and a suggestion',
    `${HEAD}adapters:\n  app: { name: shop, replica: 3 }\n  net: {}\n  storage: {}\n`,
    ['adapters.app.replica', 'unknown field "replica"', 'allowed: name, replicas', 'did you mean "replicas"?'],
  ],
  ['wrong type', `${HEAD}adapters:\n  app: { name: shop, replicas: three }\n  net: {}\n  storage: {}\n`, ['adapters.app.replicas', 'expected integer, got string "three"']],
  ['pattern mismatch', `${HEAD}adapters:\n  app: { name: Shop! }\n  net: {}\n  storage: {}\n`, ['adapters.app.name', 'must match pattern ^[a-z][a-z0-9-]*$, got string "Shop!"']],
  [
    'enum mismatch inside a list',
    `${HEAD}adapters:\n  app: { name: shop }\n  net: {}\n  storage: { classes: [standard, turbo] }\n`,
    ['adapters.storage.classes[1]', 'must be one of: "standard", "fast", "archive"'],
  ],
  ['missing required field', `${HEAD}adapters:\n  app: {}\n  net: {}\n  storage: {}\n`, ['adapters.app.name', 'missing required field', 'add "name"']],
  [
    'secret value present',
    `${HEAD}adapters:\n  app: { name: shop }\n  net: { token: hunter2-secret }\n  storage: {}\n`,
    ['adapters.net.token', 'secret value present', 'export NET_TOKEN'],
  ],
  ['duplicate keys', `${HEAD}adapters:\n  app: { name: shop }\n  net: {}\n  net: {}\n  storage: {}\n`, ['line 6, column 3', 'duplicate key']],
  ['non-mapping section', `${HEAD}adapters:\n  app: [name, shop]\n  net: {}\n  storage: {}\n`, ['adapters.app', 'expected object or null, got a list']],
  ['unknown top-level field', `${HEAD}adaptors: {}\n${OK_ADAPTERS}`, ['adaptors', 'unknown field "adaptors"', 'did you mean "adapters"?']],
  ['wrong version', `version: "2.0"\n${OK_ADAPTERS}`, ['version', 'must be one of: "1.0"']],
  ['not YAML at all', 'adapters: [unclosed\n', ['platforms/demo/platform.yaml', 'invalid YAML']],
  [
    'an alias bomb',
    `${HEAD}bomb: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n${OK_ADAPTERS}`,
    ['too many aliases', 'anchors'],
  ],
  ['an alias to an undefined anchor', `${HEAD}adapters:\n  app: { name: shop }\n  net: *nowhere\n  storage: {}\n`, ['line 5, column 8', 'alias "*nowhere" refers to no anchor']],
  ['an unknown YAML tag', `version: "1.0"\nplatform: { organization: !vault acme, app_name: acme-demo }\n${OK_ADAPTERS}`, ['line 2, column 34', 'unsupported YAML tag "!vault"']],
  ['a YAML 1.1 type tag', `${HEAD}adapters:\n  app: { name: !!binary c2hvcA== }\n  net: {}\n  storage: {}\n`, ['unsupported YAML tag "!!binary"']],
];

describe('platform.yaml errors', () => {
  it.each(CASES)('%s: exit 3, names file and path, leaves output untouched', async (_name, yaml, fragments) => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const before = snapshotDir(ws.path('platforms/demo'));
    ws.write('platforms/demo/platform.yaml', yaml);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('platforms/demo/platform.yaml');
    for (const f of fragments) expect(result.stderr).toContain(f);
    const after = snapshotDir(ws.path('platforms/demo'));
    delete before.files['platform.yaml'];
    delete after.files['platform.yaml'];
    expect(after.files).toEqual(before.files);
  });

  it("refuses an unknown field also where the adapter's inputs schema does not forbid extra fields", async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/app/adapter.yaml', ws.read('adapters/app/adapter.yaml').replace(/^( *)additionalProperties: false\n/m, ''));
    expect(ws.read('adapters/app/adapter.yaml')).not.toContain('additionalProperties');
    ws.write('platforms/demo/platform.yaml', `${HEAD}adapters:\n  app: { name: shop, replica: 3 }\n  net: {}\n  storage: {}\n`);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('adapters.app.replica');
    expect(result.stderr).toContain('unknown field "replica"');
  });

  it('refuses bytes that are not UTF-8, naming the byte offset and line (never U+FFFD)', async () => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const before = snapshotDir(ws.path('platforms/demo/generated'));
    const text = `${HEAD}adapters:\n  app: { name: shop }\n  net: {}\n  storage: {}\n`;
    const at = text.indexOf('acme-demo') + 2;
    writeFileSync(ws.path('platforms/demo/platform.yaml'), Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff]), Buffer.from(text.slice(at))]));
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`platforms/demo/platform.yaml: byte ${at} (line 2): not valid UTF-8 (0xff)`);
    expect(result.stderr).not.toContain('\uFFFD');
    expect(snapshotDir(ws.path('platforms/demo/generated'))).toEqual(before);
  });

  it('never echoes a refused secret value', async () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/demo/platform.yaml', `${HEAD}adapters:\n  app: { name: shop }\n  net: { token: canary-7f3a9 }\n  storage: {}\n`);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(`${result.stdout}${result.stderr}`).not.toContain('canary-7f3a9');
  });

  it('reports every problem at once, across adapters', async () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/demo/platform.yaml', `${HEAD}adapters:\n  app: { replicas: 0 }\n  net: { mtu: 10 }\n  storage: {}\n`);
    const { stderr } = await runCli(['render', 'demo'], ws.root);
    expect(stderr).toContain('3 problems');
    expect(stderr).toContain('adapters.app.name');
    expect(stderr).toContain('adapters.app.replicas');
    expect(stderr).toContain('adapters.net.mtu');
  });

  it('accepts an adapter section written as an empty key (null) and applies defaults', () => {
    const ws = fixtureWorkspace();
    ws.write('platforms/demo/platform.yaml', `${HEAD}adapters:\n  app: { name: shop }\n  net:\n  storage:\n`);
    const platform = readPlatform(ws.root, 'demo');
    expect(platform.configs.get('net')).toEqual({ cidr: '10.0.0.0/16', mtu: 1500 });
    expect(platform.configs.get('storage')).toEqual({ classes: ['standard'] });
  });

  it('keeps a platform.yaml of the older Python engine working (its metadata fields and adapter fields)', () => {
    const ws = fixtureWorkspace();
    for (const a of ['hetzner', 'cilium', 'talos']) ws.copyFromRepo(`adapters/${a}`);
    ws.copyFromRepo('tools/ztc/capabilities');
    ws.write(
      'platforms/legacy/platform.yaml',
      [
        "version: '1.0'",
        'platform:',
        '  organization: acme',
        '  app_name: acme-platform',
        '  lifecycle_engine: static',
        'adapters:',
        '  hetzner:',
        '    version: v1.0.0',
        '    server_ips:',
        '    - 203.0.113.10',
        '    rescue_mode_confirm: true',
        '  talos:',
        '    version: v1.11.5',
        '    factory_image_id: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba',
        '    cluster_name: prod',
        '    cluster_endpoint: 203.0.113.10:6443',
        '    nodes:',
        '    - name: cp-1',
        '      ip: 203.0.113.10',
        '      role: controlplane',
        '    disk_device: /dev/sda',
        '  cilium:',
        '    version: v1.18.5',
        '    bgp:',
        '      enabled: true',
        '      asn: 65001',
        '',
      ].join('\n'),
    );
    const platform = readPlatform(ws.root, 'legacy');
    expect([...platform.adapters.keys()]).toEqual(['cilium', 'hetzner', 'talos']);
  });
});
