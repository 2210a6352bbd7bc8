import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { ENGINE_VERSION } from '../constants';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';

async function rendered(): Promise<TempWorkspace> {
  const ws = fixtureWorkspace();
  expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
  return ws;
}

const G = 'platforms/demo/generated';

/** Each kind of drift, how to cause it and the report entries expected. */
const CASES: [string, (ws: TempWorkspace) => void, { cause: string; path: string; detail?: string }[]][] = [
  [
    'a generated file edited by hand',
    (ws) => ws.write(`${G}/net/config.yaml`, 'cidr: 0.0.0.0/0\n'),
    [{ cause: 'file modified', path: `${G}/net/config.yaml`, detail: 'edited since render (differs from lock.json)' }],
  ],
  ['a generated file deleted', (ws) => rmSync(ws.path(`${G}/app/seen.json`)), [{ cause: 'file missing', path: `${G}/app/seen.json` }]],
  ['an extra file in generated/', (ws) => ws.write(`${G}/net/extra.yaml`, 'x: 1\n'), [{ cause: 'file unexpected', path: `${G}/net/extra.yaml` }]],
  [
    'platform.yaml changed',
    (ws) => ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('mtu: 9000', 'mtu: 1400')),
    [
      { cause: 'platform.yaml changed', path: 'platforms/demo/platform.yaml' },
      { cause: 'file modified', path: `${G}/net/config.yaml`, detail: 'stale: a fresh render differs' },
    ],
  ],
  [
    'an adapter source changed',
    (ws) => ws.write('adapters/app/templates/deployment.yaml', `${ws.read('adapters/app/templates/deployment.yaml')}tier: web\n`),
    [
      { cause: 'adapter changed', path: 'adapters/app', detail: 'source files changed since render' },
      { cause: 'file modified', path: `${G}/app/deployment.yaml`, detail: 'stale: a fresh render differs' },
      // The app's steps read its rendered files: their inputs (files_sha256) changed too.
      { cause: 'pipeline changed', path: 'platforms/demo/pipeline.yaml', detail: 'stale: a fresh render differs' },
    ],
  ],
  [
    'an adapter version bumped',
    (ws) => ws.write('adapters/net/adapter.yaml', ws.read('adapters/net/adapter.yaml').replace('version: 1.0.0', 'version: 1.1.0')),
    [{ cause: 'adapter changed', path: 'adapters/net', detail: 'version 1.0.0 -> 1.1.0' }],
  ],
  [
    'an adapter script changed',
    (ws) => ws.write('adapters/app/scripts/bootstrap/deploy.sh', `${ws.read('adapters/app/scripts/bootstrap/deploy.sh')}echo done\n`),
    [
      { cause: 'adapter changed', path: 'adapters/app' },
      { cause: 'pipeline changed', path: 'platforms/demo/pipeline.yaml', detail: 'stale: a fresh render differs' },
    ],
  ],
  [
    'pipeline.yaml edited',
    (ws) => ws.write('platforms/demo/pipeline.yaml', ws.read('platforms/demo/pipeline.yaml').replace('timeout_seconds: 60', 'timeout_seconds: 6000')),
    [{ cause: 'pipeline changed', path: 'platforms/demo/pipeline.yaml', detail: 'edited since render (differs from lock.json)' }],
  ],
  [
    'lock.json from another engine version',
    (ws) => ws.write('platforms/demo/lock.json', ws.read('platforms/demo/lock.json').replace(`"engine_version": "${ENGINE_VERSION}"`, '"engine_version": "0.0.0-old"')),
    [{ cause: 'file modified', path: 'platforms/demo/lock.json', detail: `engine version 0.0.0-old -> ${ENGINE_VERSION}` }],
  ],
];

describe('ztc validate', () => {
  it('exits 0 and reports no drift right after render', async () => {
    const ws = await rendered();
    const result = await runCli(['validate', 'demo', '--json'], ws.root);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ format_version: 2, command: 'validate', platform: 'demo', ok: true, exit_code: 0, clean: true, drift: [] });
  });

  it('gives each drift a stable code and reason next to its prose', async () => {
    const ws = await rendered();
    ws.write(`${G}/net/config.yaml`, 'cidr: 0.0.0.0/0\n');
    ws.write('adapters/net/adapter.yaml', ws.read('adapters/net/adapter.yaml').replace('version: 1.0.0', 'version: 1.1.0'));
    const report = JSON.parse((await runCli(['validate', 'demo', '--json'], ws.root)).stdout) as { exit_code: number; drift: object[] };
    expect(report.exit_code).toBe(2);
    expect(report.drift).toEqual([
      { code: 'adapter_changed', cause: 'adapter changed', path: 'adapters/net', reason: 'version', detail: 'version 1.0.0 -> 1.1.0' },
      { code: 'file_modified', cause: 'file modified', path: `${G}/net/config.yaml`, reason: 'edited', detail: 'edited since render (differs from lock.json)' },
    ]);
  });

  it('--diff shows what a fresh render would change in each drifted file (on disk a/ → render b/)', async () => {
    const ws = await rendered();
    const original = ws.read(`${G}/net/config.yaml`);
    ws.write(`${G}/net/config.yaml`, original.replace(/\n$/, '\nedited: true\n'));
    rmSync(ws.path(`${G}/app/seen.json`));
    ws.write(`${G}/net/extra.yaml`, 'x: 1\n');
    const human = await runCli(['validate', 'demo', '--diff'], ws.root);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain(`--- a/${G}/net/config.yaml\n+++ b/${G}/net/config.yaml\n@@`);
    expect(human.stdout).toContain('\n-edited: true');
    expect(human.stdout).toContain(`--- /dev/null\n+++ b/${G}/app/seen.json\n@@ -0,0 +1,`);
    expect(human.stdout).toContain(`--- a/${G}/net/extra.yaml\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x: 1`);
    const json = JSON.parse((await runCli(['validate', 'demo', '--diff', '--json'], ws.root)).stdout) as { drift: { path: string; diff: string | null }[] };
    expect(json.drift.find((d) => d.path === `${G}/net/config.yaml`)!.diff).toMatch(/^--- a\/.*\n\+\+\+ b\/.*\n@@ .* @@\n/);
  });

  it.each(CASES)('%s: exit 2 with each difference and its cause', async (_n, change, expected) => {
    const ws = await rendered();
    change(ws);
    const result = await runCli(['validate', 'demo', '--json'], ws.root);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { clean: boolean; drift: { cause: string; path: string; detail: string }[] };
    expect(report.clean).toBe(false);
    expect(report.drift).toEqual(expected.map((e) => expect.objectContaining(e)));
    const human = await runCli(['validate', 'demo'], ws.root);
    expect(human.code).toBe(2);
    for (const e of expected) expect(human.stdout).toMatch(new RegExp(`${e.cause}\\s+${e.path}`));
  });

  it('exits 3 with "run render" when the lock is missing', async () => {
    const ws = fixtureWorkspace();
    const result = await runCli(['validate', 'demo'], ws.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('platforms/demo/lock.json: lock.json is missing');
    expect(result.stderr).toContain('run "ztc render demo" first');
  });

  it('exits 3 when the configuration became invalid', async () => {
    const ws = await rendered();
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('mtu: 9000', 'mtu: huge'));
    expect((await runCli(['validate', 'demo'], ws.root)).code).toBe(3);
  });

  it('writes nothing', async () => {
    const ws = await rendered();
    rmSync(ws.path(`${G}/net/config.yaml`));
    await runCli(['validate', 'demo'], ws.root);
    expect(() => ws.read(`${G}/net/config.yaml`)).toThrow();
  });
});
