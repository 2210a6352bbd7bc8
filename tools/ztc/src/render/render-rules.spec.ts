import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../testing/run-cli';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';

function netRender(body: string): string {
  return `import type { RenderFn } from '@ztc/engine';\nexport const render: RenderFn<{ cidr: string }> = (config) => (${body});\n`;
}

const CAP = 'capabilities: { network: { cidr: config.cidr } }';

/** Bad render results and what the error must say. */
const CASES: [string, (ws: TempWorkspace) => void, string[]][] = [
  [
    'absolute path',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { '/etc/passwd': 'x' }, ${CAP} }`)),
    ['adapters/net/render.ts', 'files["/etc/passwd"]', 'is absolute'],
  ],
  ['path escaping generated/', (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/../../x': 'x' }, ${CAP} }`)), ['escapes generated/']],
  [
    'a file name longer than file systems allow',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/${'a'.repeat(300)}.yaml': 'x' }, ${CAP} }`)),
    ['adapters/net/render.ts', 'has a name longer than 255 bytes'],
  ],
  [
    'a newline in a path',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/a\\nb.yaml': 'x' }, ${CAP} }`)),
    ['files["net/a\\nb.yaml"]', 'contains a control character'],
  ],
  ['path not normalised', (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net//a.yaml': 'x' }, ${CAP} }`)), ['is not normalised (expected "net/a.yaml")']],
  [
    'path outside the adapter folder',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'app/x.yaml': 'x' }, ${CAP} }`)),
    ['adapter "net" may only write under generated/net/', 'shared_paths'],
  ],
  [
    'two adapters writing one path',
    (ws) => {
      ws.write('adapters/net/adapter.yaml', `${ws.read('adapters/net/adapter.yaml')}shared_paths: [common/]\n`);
      ws.write('adapters/storage/adapter.yaml', `${ws.read('adapters/storage/adapter.yaml')}shared_paths: [common/]\n`);
      ws.write('adapters/net/render.ts', netRender(`{ files: { 'common/a.yaml': 'x' }, ${CAP} }`));
      ws.write('adapters/storage/render.ts', "export const render = () => ({ files: { 'common/a.yaml': 'y' }, capabilities: { volumes: { classes: [] } } });\n");
    },
    ['generated/common/a.yaml is also produced by adapter "net"', 'never write the same path'],
  ],
  [
    'a capability not declared in provides',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: {}, capabilities: { network: { cidr: config.cidr }, volumes: { classes: [] } } }`)),
    ['produces capability "volumes" which adapters/net/adapter.yaml does not declare'],
  ],
  [
    'a declared capability not produced',
    (ws) => ws.write('adapters/net/render.ts', netRender('{ files: {} }')),
    ['declares capability "network" in provides but render did not produce it'],
  ],
  [
    'a payload that breaks its contract',
    (ws) => ws.write('adapters/net/render.ts', netRender("{ files: {}, capabilities: { network: { cidr: 'everywhere' } } }")),
    ['capabilities.network.cidr', 'does not match the "network" contract v1.2.0'],
  ],
  [
    'a capability value JSON cannot carry',
    (ws) => ws.write('adapters/net/render.ts', netRender('{ files: {}, capabilities: { network: { cidr: config.cidr, mtu: Number.NaN } } }')),
    ['capabilities.network.mtu', 'NaN cannot be written as JSON', 'plain JSON data'],
  ],
  [
    'a render module that throws',
    (ws) => ws.write('adapters/net/render.ts', netRender("(() => { throw new Error('boom: bad cidr'); })()")),
    ['adapters/net/render.ts: render: render failed: boom: bad cidr'],
  ],
  [
    'generated YAML that does not parse',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/config.yaml': 'greeting: hi: there\\n' }, ${CAP} }`)),
    ['adapters/net/render.ts: files["net/config.yaml"]: generated/net/config.yaml (adapter net) is not valid YAML: line 1, column 11', '{{ value | yaml }}'],
  ],
  [
    'generated JSON that does not parse',
    (ws) => ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/config.json': '{"a": 1,}' }, ${CAP} }`)),
    ['adapters/net/render.ts: files["net/config.json"]: generated/net/config.json (adapter net) is not valid JSON', '{{ value | json }}'],
  ],
  [
    'a template value that breaks the YAML it is inserted into',
    (ws) => {
      ws.write('adapters/app/templates/deployment.yaml', 'kind: Deployment\nname: {{ name }}\nlabel: {{ label }}\n');
      ws.write(
        'adapters/app/render.ts',
        "export const render = (c: any, _p: unknown, _caps: unknown, { template }: any) => ({ files: { 'app/deployment.yaml': template('deployment.yaml', { ...c, label: 'hi: there' }) } });\n",
      );
    },
    ['adapters/app/render.ts: files["app/deployment.yaml"]: generated/app/deployment.yaml (adapter app) is not valid YAML: line 3'],
  ],
  [
    'a template variable that is not defined',
    (ws) => ws.write('adapters/app/templates/deployment.yaml', 'image: {{ image.tag }}\n'),
    ['adapters/app/templates/deployment.yaml', '"image" is not defined'],
  ],
  [
    'a context reference that is not defined',
    (ws) => ws.write('adapters/app/adapter.yaml', ws.read('adapters/app/adapter.yaml').replace('{{ config.replicas }}', '{{ config.replica }}')),
    ['adapters/app/adapter.yaml: scripts.bootstrap[0].context', '"config.replica" is not defined'],
  ],
];

describe('render rules', () => {
  it.each(CASES)('%s: exit 3, previous output and lock stay byte-identical', async (_n, breakIt, fragments) => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const before = snapshotDir(ws.path('platforms/demo'));
    breakIt(ws);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    for (const f of fragments) expect(result.stderr).toContain(f);
    expect(snapshotDir(ws.path('platforms/demo'))).toEqual(before);
  });

  it('keeps a template value in one piece with the yaml filter', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/app/templates/deployment.yaml', 'kind: Deployment\nname: {{ name }}\nlabel: {{ label | yaml }}\n');
    ws.write(
      'adapters/app/render.ts',
      "export const render = (c: any, _p: unknown, _caps: unknown, { template }: any) => ({ files: { 'app/deployment.yaml': template('deployment.yaml', { ...c, label: 'hi: there' }) } });\n",
    );
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    expect(parse(ws.read('platforms/demo/generated/app/deployment.yaml'))).toMatchObject({ label: 'hi: there' });
  });

  it('accepts generated YAML with several documents', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/render.ts', netRender(`{ files: { 'net/config.yaml': 'a: 1\\n---\\nb: 2\\n' }, ${CAP} }`));
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
  });

  it('lets an adapter write a path it declares in shared_paths', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/adapter.yaml', `${ws.read('adapters/net/adapter.yaml')}shared_paths: [.sops.yaml]\n`);
    ws.write('adapters/net/render.ts', netRender(`{ files: { '.sops.yaml': 'creation_rules: []\\n' }, ${CAP} }`));
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    expect(ws.read('platforms/demo/generated/.sops.yaml')).toContain('creation_rules: []');
  });

  it('gives render modules frozen inputs: mutating a capability payload fails the render', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/app/render.ts', "export const render = (c: any, p: any, caps: any) => { caps.network.cidr = 'x'; return { files: {} }; };\n");
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Cannot assign to read only property');
  });
});
