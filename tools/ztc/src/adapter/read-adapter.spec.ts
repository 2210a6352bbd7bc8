import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { fixtureWorkspace } from '../../testing/temp-workspace';

const BASE = 'name: net\nversion: 1.0.0\ndescription: Fixture network adapter.\nprovides: [network]\nrender: render.ts\n';

const CASES: [string, string, string[]][] = [
  ['missing description', 'name: net\nversion: 1.0.0\nprovides: [network]\nrender: render.ts\n', ['adapters/net/adapter.yaml: description: missing required field']],
  ['version not semver', BASE.replace('1.0.0', 'one'), ['adapters/net/adapter.yaml: version: must match pattern']],
  ['name differs from folder', BASE.replace('name: net', 'name: network'), ['name: "network" does not match the folder name "net"', 'set name: net']],
  ['unknown capability', BASE.replace('provides: [network]', 'provides: [netwrok]'), ['provides[0]: unknown capability "netwrok"', 'add tools/ztc/capabilities/netwrok.json']],
  ['render module missing', BASE.replace('render.ts', 'renderer.ts'), ['render: file "renderer.ts" not found']],
  ['script file missing', `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/install.sh, description: Install }\n`, ['scripts.bootstrap[0].file: script "scripts/install.sh" not found']],
  ['unknown stage', `${BASE}scripts:\n  deploy: []\n`, ['scripts.deploy: unknown field "deploy"']],
  ['secret with a default', `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    token: { type: string, secret: true, env: T, default: x }\n`, ['inputs.properties.token.default: a secret input may not have a default']],
  ['malformed x-ztc-default-from', `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    mtu: { type: number, x-ztc-default-from: { each: storage.sizes } }\n`, ['inputs.properties.mtu.x-ztc-default-from: missing "value"', 'docs/adapters.md']],
  ['inputs that are not a JSON Schema', `${BASE}inputs:\n  type: object\n  properties:\n    mtu: { type: number-ish }\n`, ['inputs: not a valid JSON Schema']],
];

describe('adapter.yaml errors', () => {
  it.each(CASES)('%s: exit 3 naming the adapter file and field', async (_n, yaml, fragments) => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/adapter.yaml', yaml);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    for (const f of fragments) expect(result.stderr).toContain(f);
  });
});
