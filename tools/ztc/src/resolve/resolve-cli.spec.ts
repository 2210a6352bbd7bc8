import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';

const CASES: [string, (ws: TempWorkspace) => void, string[]][] = [
  [
    'missing capability',
    (ws) => ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('  net:\n    mtu: 9000\n', '')),
    [
      'platforms/demo/platform.yaml: adapters.app: adapter "app" requires capability "network" but no adapter in the platform provides it',
      'fix: add one of these adapters to the platform: net',
    ],
  ],
  [
    'two providers of one capability',
    (ws) => {
      ws.write('adapters/net2/adapter.yaml', 'name: net2\nversion: 1.0.0\ndescription: Second network.\nprovides: [network]\n');
      ws.write('platforms/demo/platform.yaml', `${ws.read('platforms/demo/platform.yaml')}  net2: {}\n`);
    },
    ['capability "network" is provided by both "net" and "net2"', 'keep only one of them'],
  ],
  [
    'a cycle',
    (ws) => {
      // net needs ingress, which app provides; app needs network, which net provides.
      ws.write('adapters/net/adapter.yaml', `${ws.read('adapters/net/adapter.yaml')}requires: [ingress]\n`);
      ws.write('adapters/app/adapter.yaml', ws.read('adapters/app/adapter.yaml').replace('description:', 'provides: [ingress]\ndescription:'));
    },
    ['capability cycle: app -> net -> app'],
  ],
  [
    'a version range not satisfied',
    (ws) => ws.write('adapters/app/adapter.yaml', ws.read('adapters/app/adapter.yaml').replace('">=1.0.0 <2.0.0"', '"^2.0.0"')),
    ['adapter "app" requires "network" ^2.0.0, but "net" provides version 1.2.0'],
  ],
];

describe('capability resolution through the CLI', () => {
  it.each(CASES)('%s: exit 3, clear message, output untouched', async (_name, change, fragments) => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    const before = snapshotDir(ws.path('platforms/demo'));
    change(ws);
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(3);
    for (const f of fragments) expect(result.stderr).toContain(f);
    const after = snapshotDir(ws.path('platforms/demo'));
    delete before.files['platform.yaml'];
    delete after.files['platform.yaml'];
    expect(after.files).toEqual(before.files);
  });
});
