/**
 * `ztc render` remembers what render modules returned (render-memo.ts). Through the real bin, which runs
 * the engine from its bundle (the memo's engine identity); the render module notes each time it is
 * loaded in a file the test reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, REPO_ROOT, type TempWorkspace } from '../../testing/temp-workspace';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

/** net's render module, noting each load in PROBE (the memo is by content: each workspace's module differs). */
const NET = `import { appendFileSync } from 'node:fs';
appendFileSync(PROBE, 'loaded\\n');
export const render = (config: { cidr: string; mtu: number }) => ({
  files: { 'net/config.yaml': \`cidr: \${config.cidr}\\nmtu: \${config.mtu}\\n\` },
  capabilities: { network: { cidr: config.cidr, mtu: config.mtu } },
});
`;

function setUp(): { ws: TempWorkspace; ztc: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof spawnSync>; loads: () => number } {
  const ws = fixtureWorkspace();
  const probe = ws.path('probe.txt');
  ws.write('adapters/net/render.ts', NET.replace('PROBE', JSON.stringify(probe)));
  const ztc = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: ws.root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  const loads = () => (existsSync(probe) ? readFileSync(probe, 'utf8').split('\n').filter(Boolean).length : 0);
  return { ws, ztc, loads };
}

describe('ztc render remembers render modules by everything they depend on', () => {
  it('does not load an unchanged render module again; a changed file and validate do', () => {
    const { ws, ztc, loads } = setUp();
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(loads()).toBe(1);
    const rendered = snapshotDir(ws.path('platforms/demo'));

    const again = ztc(['render', 'demo']);
    expect(again.stdout).toContain('up to date');
    expect(loads()).toBe(1);
    expect(snapshotDir(ws.path('platforms/demo'))).toEqual(rendered);

    // Any file of the adapter folder is part of the key, not only the ones lock.json hashes.
    ws.write('adapters/net/.notes', 'a dot-file\n');
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(loads()).toBe(2);

    // The arguments are: a new config value renders anew, with the new value.
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace(/mtu: \d+/, 'mtu: 1400'));
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(loads()).toBe(3);
    expect(ws.read('platforms/demo/generated/net/config.yaml')).toContain('mtu: 1400');

    // validate must see a fresh render.
    expect(ztc(['validate', 'demo']).status).toBe(0);
    expect(loads()).toBeGreaterThan(3);
  });

  it('loads the module again when an npm package it loaded has another package.json', () => {
    const { ws, ztc, loads } = setUp();
    ws.write('adapters/net/node_modules/mtu-lib/package.json', '{ "name": "mtu-lib", "version": "1.0.0", "main": "index.js" }\n');
    ws.write('adapters/net/node_modules/mtu-lib/index.js', 'exports.double = (n) => n * 2;\n');
    ws.write(
      'adapters/net/render.ts',
      ws
        .read('adapters/net/render.ts')
        .replace("import { appendFileSync } from 'node:fs';", "import { appendFileSync } from 'node:fs';\nimport { double } from 'mtu-lib';\nvoid double;"),
    );
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(loads()).toBe(1);
    ws.write('adapters/net/node_modules/mtu-lib/package.json', '{ "name": "mtu-lib", "version": "1.0.1", "main": "index.js" }\n');
    expect(ztc(['render', 'demo']).status).toBe(0);
    expect(loads()).toBe(2);
  });
});
