/**
 * The workspace plugin's generators through the real nx binary: `nx list` shows them, --dry-run writes
 * nothing, a generated adapter passes lint and test and renders in a platform the platform generator
 * made, and that platform.yaml has the bytes `ztc init --non-interactive` writes for the same values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eWorkspace, REPO, type E2eWorkspace } from './workspace';

const ZTC = join(REPO, 'tools/ztc/bin/ztc.js');

describe('Nx generators (real nx binary)', () => {
  let ws: E2eWorkspace;
  beforeAll(() => {
    ws = createE2eWorkspace();
  });
  afterAll(() => ws?.dispose());

  it('lists the platform and adapter generators', async () => {
    const r = await ws.nx(['list', '@ztc/engine']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GENERATORS[\s\S]*platform : [\s\S]*adapter : /);
  });

  it('writes nothing with --dry-run', async () => {
    const r = await ws.nx(['g', '@ztc/engine:adapter', 'dry', '--dry-run', '--no-interactive']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE adapters/dry/adapter.yaml');
    expect(existsSync(join(ws.root, 'adapters/dry'))).toBe(false);
  });

  it('scaffolds an adapter that lints, tests and renders in a platform made by the platform generator', async () => {
    const gen = await ws.nx(['g', '@ztc/engine:adapter', 'demo', '--provides=demo-api', '--requires=kubernetes-api', '--selectionGroup=demo_tools', '--no-interactive']);
    expect(gen.code, gen.stderr).toBe(0);
    expect(ws.read('tools/ztc/capabilities/demo-api.json')).toContain('"name": "demo-api"');
    const plat = await ws.nx([
      'g',
      '@ztc/engine:platform',
      'lab',
      '--organization=acme',
      '--appName=acme-lab',
      '--set=demo.replicas=2',
      '--set=talos.cluster_name=lab',
      '--set=hetzner.server_ips=198.51.100.7',
      '--no-interactive',
    ]);
    expect(plat.code, plat.stdout + plat.stderr).toBe(0);
    const text = ws.read('platforms/lab/platform.yaml');
    expect(text).toContain('  demo:\n    replicas: 2\n');
    // The same values through the CLI give the same bytes.
    execFileSync(
      process.execPath,
      [
        ZTC,
        'init',
        'lab2',
        '--non-interactive',
        '--set',
        'platform.organization=acme',
        '--set',
        'platform.app_name=acme-lab',
        '--set',
        'demo.replicas=2',
        '--set',
        'talos.cluster_name=lab',
        '--set',
        'hetzner.server_ips=198.51.100.7',
      ],
      { cwd: ws.root, env: { ...process.env, ZTC_SECRETS_FILE: join(ws.root, '..', 'unused.env') } },
    );
    expect(ws.read('platforms/lab2/platform.yaml')).toBe(text);
    ws.rm('platforms/lab2');
    const run = await ws.nx(['run-many', '-t', 'lint', 'test', 'render', '-p', 'demo', 'lab', '--outputStyle=stream']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('demo:lint');
    expect(run.stdout).toContain('demo:test');
    expect(ws.read('platforms/lab/generated/demo/config.yaml')).toContain('replicas: 2');
  });
});
