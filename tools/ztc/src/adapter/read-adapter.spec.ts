import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
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
  [
    'script file missing',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/install.sh, description: Install }\n`,
    ['scripts.bootstrap[0].file: script "scripts/install.sh" not found'],
  ],
  ['unknown stage', `${BASE}scripts:\n  deploy: []\n`, ['scripts.deploy: unknown field "deploy"']],
  [
    'secret with a default',
    `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    token: { type: string, secret: true, env: T, default: x }\n`,
    ['inputs.properties.token.default: a secret input may not have a default'],
  ],
  [
    'malformed x-ztc-default-from',
    `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    mtu: { type: number, x-ztc-default-from: { each: storage.sizes } }\n`,
    ['inputs.properties.mtu.x-ztc-default-from: missing "value"', 'docs/adapters.md'],
  ],
  [
    'x-ztc-when naming a later input',
    `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    asn: { type: integer, x-ztc-when: { field: bgp, equals: true } }\n    bgp: { type: boolean }\n`,
    ['inputs.properties.asn.x-ztc-when: field "bgp" is not an input before "asn"', 'docs/adapters.md'],
  ],
  [
    'x-ztc-legacy on a required input',
    `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  required: [old]\n  properties:\n    old: { type: string, x-ztc-legacy: true }\n`,
    ['inputs.properties.old.x-ztc-legacy: x-ztc-legacy is for optional inputs; "old" is required'],
  ],
  [
    'x-ztc-multiline on a non-secret',
    `${BASE}inputs:\n  type: object\n  additionalProperties: false\n  properties:\n    key: { type: string, x-ztc-multiline: true }\n`,
    ['inputs.properties.key.x-ztc-multiline: x-ztc-multiline is for secret inputs (secret: true)'],
  ],
  [
    'render module in another adapter folder',
    BASE.replace('render: render.ts', 'render: ../app/render.ts'),
    ['adapters/net/adapter.yaml: render: "../app/render.ts" leaves adapters/net/ ("..")', 'fix: keep the file inside adapters/net/'],
  ],
  [
    'check_health path into another adapter',
    `${BASE}check_health: { file: scripts/../../app/scripts/bootstrap/deploy.sh, description: Other }\n`,
    ['check_health.file: "scripts/../../app/scripts/bootstrap/deploy.sh" leaves adapters/net/ ("..")'],
  ],
  [
    'script path climbing out of the workspace',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/../../../../../outside.sh, description: Escape }\n`,
    ['scripts.bootstrap[0].file: "scripts/../../../../../outside.sh" leaves adapters/net/ ("..")'],
  ],
  [
    'purge on a bootstrap step',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/install.sh, description: Install, purge: everything }\n`,
    ['scripts.bootstrap[0].purge: unknown field "purge"'],
  ],
  [
    'purge of two lines on a teardown step',
    `${BASE}scripts:\n  teardown:\n    - { file: scripts/teardown/x.sh, description: X, purge: "a\\nb" }\n`,
    ['scripts.teardown[0].purge: must be one line of text saying what the step deletes for good'],
  ],
  [
    'teardown step named like a bootstrap step',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/install.sh, description: Install }\n  teardown:\n    - { name: install, file: scripts/teardown/x.sh, description: X }\n`,
    ['scripts.teardown[0].name: step name "install" is already used by scripts.bootstrap[0]'],
  ],
  ['backup script missing', `${BASE}backup: { file: scripts/backup/snap.sh, description: Snapshot }\n`, ['backup.file: script "scripts/backup/snap.sh" not found']],
  ['shared path escaping generated/', `${BASE}shared_paths: [../secrets.yaml]\n`, ['shared_paths[0]: "../secrets.yaml" escapes generated/ with ".."']],
  ['shared path with a newline', `${BASE}shared_paths: ["a\\nb/"]\n`, ['shared_paths[0]', 'contains a control character']],
  [
    'disruptive that is not text',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/x.sh, description: X, disruptive: true }\n`,
    ['scripts.bootstrap[0].disruptive: must be one line of text saying what the step may disrupt, got boolean', 'e.g. disruptive: "reboots servers'],
  ],
  [
    'disruptive that is empty',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/x.sh, description: X, disruptive: "" }\n`,
    ['scripts.bootstrap[0].disruptive: must be one line of text saying what the step may disrupt', 'leave the field out'],
  ],
  [
    'disruptive over two lines',
    `${BASE}scripts:\n  bootstrap:\n    - { file: scripts/x.sh, description: X, disruptive: "reboots\\nservers" }\n`,
    ['scripts.bootstrap[0].disruptive: must be one line of text'],
  ],
  ['inputs that are not a JSON Schema', `${BASE}inputs:\n  type: object\n  properties:\n    mtu: { type: number-ish }\n`, ['inputs: not a valid JSON Schema']],
];

describe('adapter.yaml errors', () => {
  it('refuses a script or render module that is a symlink to a file outside the adapter folder', async () => {
    const ws = fixtureWorkspace();
    ws.write('outside/evil.sh', '#!/usr/bin/env bash\ntouch "$ZTC_WORKSPACE_ROOT/ran"\n');
    ws.write('outside/render.ts', 'export const render = () => ({ files: {}, capabilities: { network: { cidr: "10.0.0.0/8" } } });\n');
    mkdirSync(ws.path('adapters/net/scripts'), { recursive: true });
    symlinkSync(ws.path('outside/evil.sh'), ws.path('adapters/net/scripts/evil.sh'));
    symlinkSync('../../outside/render.ts', ws.path('adapters/net/linked.ts'));
    ws.write('adapters/net/adapter.yaml', `${BASE.replace('render.ts', 'linked.ts')}scripts:\n  bootstrap:\n    - { file: scripts/evil.sh, description: Evil }\n`);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('adapters/net/adapter.yaml: render: "linked.ts" resolves to outside/render.ts, outside adapters/net/ (symlink)');
    expect(result.stderr).toContain('adapters/net/adapter.yaml: scripts.bootstrap[0].file: "scripts/evil.sh" resolves to outside/evil.sh, outside adapters/net/ (symlink)');
    expect(existsSync(ws.path('platforms/demo/pipeline.yaml'))).toBe(false);
  });

  it('refuses a template name that leaves the templates folder', async () => {
    const ws = fixtureWorkspace();
    ws.write(
      'adapters/app/render.ts',
      "export const render = (_c: unknown, _p: unknown, _caps: unknown, { template }: any) => ({ files: { 'app/x.yaml': template('../../net/adapter.yaml', {}) } });\n",
    );
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('template "templates/../../net/adapter.yaml" leaves adapters/app/ ("..")');
  });

  it.each(CASES)('%s: exit 3 naming the adapter file and field', async (_n, yaml, fragments) => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/adapter.yaml', yaml);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    for (const f of fragments) expect(result.stderr).toContain(f);
  });
});
