/**
 * The Nx layer through the real nx binary on a throwaway git workspace: project graph, render as a
 * cached task graph (restore, early cut-off), affected selections, the remote cache round trip, and
 * secrets staying out of the cache. One workspace for the whole file; each nx call costs ~2 s.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheServer } from '../../tools/cache-server/src/server';
import { isProcessAlive } from '../../tools/ztc/src/util/process-identity';
import { cleanEnv, createE2eWorkspace, REPO, type E2eWorkspace } from './workspace';

const RUN = ['--outputStyle=stream'];
const EXAMPLE_ADAPTERS = ['argocd', 'cilium', 'crossplane', 'github', 'hetzner', 'ksops', 'talos'];
const EXAMPLE_TASKS = ['example:split-config', ...EXAMPLE_ADAPTERS.map((a) => `example:render-${a}`), 'example:render'];
const CANARY = 'ztc-canary-7d1e3b9a55c2f04e';
const ROTATED = 'ztc-canary-rotated-2b96e0c4d8';

const EXTRA = {
  'platforms/edge/platform.yaml': 'version: "1.0"\nadapters:\n  hetzner: { server_ips: [198.51.100.7] }\n',
  'adapters/vault/adapter.yaml': [
    'name: vault',
    'version: 1.0.0',
    'description: E2E adapter whose bootstrap step tries to print its secret.',
    'scripts:',
    '  bootstrap:',
    '    - file: scripts/unseal.sh',
    '      description: Unseal (prints the token, writes a non-secret state file)',
    '      timeout_seconds: 30',
    '      secret_env: [VAULT_TOKEN]',
    '      required: true',
    '',
  ].join('\n'),
  'adapters/vault/scripts/unseal.sh':
    '#!/usr/bin/env bash\nset -euo pipefail\necho "unsealing with $VAULT_TOKEN"\nprintf "%s" "$VAULT_TOKEN" | xxd -p\necho unsealed >"$ZTC_STATE_DIR/vault.txt"\n',
  'platforms/canary/platform.yaml': 'version: "1.0"\nadapters:\n  vault: {}\n',
};

/** path → content of every file below `dir` of the workspace. */
function tree(ws: E2eWorkspace, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(ws.root, rel))) {
      const child = `${rel}/${e}`;
      if (statSync(join(ws.root, child)).isDirectory()) walk(child);
      else out[child] = ws.read(child);
    }
  };
  walk(dir);
  return out;
}

function platformOutput(ws: E2eWorkspace): Record<string, string> {
  return { ...tree(ws, 'platforms/example/generated'), lock: ws.read('platforms/example/lock.json'), pipeline: ws.read('platforms/example/pipeline.yaml') };
}

function wipeOutputs(ws: E2eWorkspace): void {
  for (const p of ['generated', 'lock.json', 'pipeline.yaml', '.ztc']) ws.rm(`platforms/example/${p}`);
}

describe('Nx layer (real nx binary)', () => {
  let ws: E2eWorkspace;
  beforeAll(() => {
    ws = createE2eWorkspace(EXTRA);
  });
  afterAll(() => ws?.dispose());

  it('infers adapters and platforms; platform edges are static, capability edges implicit, adapters depend on the engine', async () => {
    const r = await ws.nx(['graph', '--file=graph.json']);
    expect(r.code).toBe(0);
    const { graph } = JSON.parse(ws.read('graph.json')) as {
      graph: { nodes: Record<string, { data: { tags: string[]; targets: object } }>; dependencies: Record<string, { target: string; type: string }[]> };
    };
    const deps = (p: string): string[] =>
      graph.dependencies[p]!.filter((d) => !d.target.startsWith('npm:'))
        .map((d) => `${d.target} ${d.type}`)
        .sort();
    expect(deps('talos')).toEqual(['@ztc/engine static', 'cilium implicit', 'hetzner implicit']);
    expect(deps('example')).toEqual(EXAMPLE_ADAPTERS.map((a) => `${a} static`).sort());
    expect(deps('edge')).toEqual(['hetzner static']);
    expect(deps('hetzner')).toEqual(['@ztc/engine static']);
    expect(graph.nodes.cilium!.data.tags).toEqual(['type:adapter', 'provides:cni']);
    expect(Object.keys(graph.nodes.example!.data.targets)).toEqual(
      expect.arrayContaining([...EXAMPLE_TASKS.map((t) => t.split(':')[1]), 'validate', 'stage-pre-work', 'bootstrap']),
    );
    ws.rm('graph.json');
  });

  it('renders through the task graph to the same bytes as `ztc render`, then restores them from the cache', async () => {
    const committed = platformOutput(ws);
    wipeOutputs(ws);
    const cold = await ws.nx(['run', 'example:render', ...RUN]);
    expect(cold.code, cold.stdout + cold.stderr).toBe(0);
    expect(Object.values(ws.lastRun())).toEqual(EXAMPLE_TASKS.map(() => 'cache-miss'));
    expect(platformOutput(ws)).toEqual(committed);

    wipeOutputs(ws);
    expect((await ws.nx(['run', 'example:render', ...RUN])).code).toBe(0);
    expect(ws.lastRun()).toEqual(Object.fromEntries(EXAMPLE_TASKS.map((t) => [t, 'local-cache-hit'])));
    expect(platformOutput(ws)).toEqual(committed);
  });

  it('re-runs only the adapter whose template changed when its capability payload stays the same', async () => {
    const template = ws.read('adapters/cilium/templates/values.yaml');
    ws.write('adapters/cilium/templates/values.yaml', `${template}# tuned\n`);
    const r = await ws.nx(['run', 'example:render', ...RUN]);
    expect(r.code, r.stdout).toBe(0);
    expect(ws.lastRun()).toEqual({
      ...Object.fromEntries(EXAMPLE_TASKS.map((t) => [t, 'local-cache-hit'])),
      // Only cilium re-renders: talos consumes cni, whose payload did not change, and nothing else changed.
      'example:render-cilium': 'cache-miss',
      'example:render': 'cache-miss',
    });
    expect(ws.read('platforms/example/generated/cilium/values.yaml')).toContain('# tuned');
    ws.write('adapters/cilium/templates/values.yaml', template);
  });

  it('selects affected platforms by what they use: an adapter template, engine code, docs', async () => {
    const affected = async (base: string, head: string, target = 'render'): Promise<string[]> => {
      const r = await ws.nx(['show', 'projects', '--affected', `--base=${base}`, `--head=${head}`, `--withTarget=${target}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as string[]).sort();
    };
    const base = ws.git('rev-parse', 'HEAD');
    ws.write('adapters/cilium/templates/values.yaml', `${ws.read('adapters/cilium/templates/values.yaml')}# affected\n`);
    const template = ws.commit('touch a cilium template');
    ws.write('tools/ztc/src/render/header.ts', `${ws.read('tools/ztc/src/render/header.ts')}// touched\n`);
    const engine = ws.commit('touch engine code');
    ws.write('docs/notes.md', '# notes\n');
    const docs = ws.commit('touch docs');
    expect(await affected(base, template)).toEqual(['example']);
    expect(await affected(template, engine)).toEqual(['canary', 'edge', 'example']);
    // The engine's specs, and those of the adapters with specs (they depend on the engine).
    const tests = await affected(template, engine, 'test');
    expect(tests).toContain('@ztc/engine');
    expect(tests.filter((p) => p !== '@ztc/engine' && !EXAMPLE_ADAPTERS.includes(p))).toEqual([]);
    expect(await affected(engine, docs)).toEqual([]);
  });

  it('round-trips the remote cache: a wiped machine gets every task as a remote hit with identical files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztc-e2e-cache-'));
    const cache = createCacheServer({ host: '127.0.0.1', port: 0, dir, maxBodyBytes: 64 * 1024 * 1024, readWriteTokens: ['e2e-rw'], readOnlyTokens: [] });
    const url = await cache.listen();
    const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'e2e-rw' };
    try {
      ws.rm('.nx');
      // Both machines start from the same previous render (none): the render target hashes pipeline.yaml, which the
      // render-time change check compares with (docs/nx.md), so a machine with another previous render re-assembles.
      wipeOutputs(ws);
      const first = await ws.nx(['run', 'example:render', ...RUN], env);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const rendered = platformOutput(ws);
      expect(readdirSync(dir).filter((f) => f !== '.tmp')).toHaveLength(EXAMPLE_TASKS.length);

      ws.rm('.nx');
      wipeOutputs(ws);
      const second = await ws.nx(['run', 'example:render', ...RUN], env);
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(ws.lastRun()).toEqual(Object.fromEntries(EXAMPLE_TASKS.map((t) => [t, 'remote-cache-hit'])));
      expect(platformOutput(ws)).toEqual(rendered);
    } finally {
      await cache.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs bootstrap stages as cached tasks without a secret reaching the cache, the state or the output', async () => {
    const r = await ws.nx(['run', 'canary:stage-bootstrap', ...RUN], { VAULT_TOKEN: CANARY });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('unsealing with ***');
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(ws.read('platforms/canary/.ztc/state/vault.txt')).toBe('unsealed\n');
    const hex = Buffer.from(CANARY).toString('hex');
    expect(r.stdout + r.stderr).not.toContain(hex);
    const leaks = (dir: string): string[] =>
      Object.entries(tree(ws, dir))
        .filter(([, content]) => content.includes(CANARY) || content.includes(hex))
        .map(([p]) => p);
    expect(leaks('.nx')).toEqual([]);
    expect(leaks('platforms/canary')).toEqual([]);

    ws.rm('platforms/canary/.ztc');
    const again = await ws.nx(['run', 'canary:stage-bootstrap', ...RUN], { VAULT_TOKEN: CANARY });
    expect(again.code).toBe(0);
    expect(ws.lastRun()['canary:stage-bootstrap']).toBe('local-cache-hit');
    expect(ws.read('platforms/canary/.ztc/state/vault.txt')).toBe('unsealed\n');

    // The next stage that runs says which receipts came from the cache rather than from this machine.
    const validation = await ws.nx(['run', 'canary:stage-validation', ...RUN], { VAULT_TOKEN: CANARY });
    expect(validation.code, validation.stdout + validation.stderr).toBe(0);
    expect(validation.stdout).toContain('stage bootstrap came from the Nx cache: restored the receipts of vault/unseal (not run on this machine)');

    // A rotated secret is a cache miss (the stage hashes the receipts' keyed digests, a runtime input), so
    // the step that receives it runs again; neither value nor a plain hash of it reaches the cache.
    const rotated = await ws.nx(['run', 'canary:stage-bootstrap', ...RUN], { VAULT_TOKEN: ROTATED });
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(ws.lastRun()['canary:stage-bootstrap']).toBe('cache-miss');
    expect(rotated.stdout).toContain('[vault/unseal] running because: secret VAULT_TOKEN changed');
    expect(rotated.stdout).toContain('unsealing with ***');
    const traces = [CANARY, ROTATED].flatMap((v) => [v, Buffer.from(v).toString('hex'), createHash('sha256').update(v).digest('hex')]);
    const found = (dir: string): string[] =>
      Object.entries(tree(ws, dir))
        .filter(([, content]) => traces.some((t) => content.includes(t)))
        .map(([p]) => p);
    expect(rotated.stdout + rotated.stderr).not.toContain(ROTATED);
    expect(found('.nx')).toEqual([]);
    expect(found('platforms/canary')).toEqual([]);

    // Back to the first value: not the entry Nx cached for it then (its receipts no longer say what was applied last).
    const back = await ws.nx(['run', 'canary:stage-bootstrap', ...RUN], { VAULT_TOKEN: CANARY });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(ws.lastRun()['canary:stage-bootstrap']).toBe('cache-miss');
    expect(back.stdout).toContain('[vault/unseal] running because: secret VAULT_TOKEN changed');
  });

  it.each([
    ['sh', 'nx is orphaned and runs on; ztc sees its launcher gone'],
    ['bash', 'npm hands the signal to nx, which stops its task tree'],
  ])(
    'stops a running stage when its launcher (npx nx run, npm script shell %s: %s) gets SIGTERM: no process, temp dir or receipt is left',
    async (shell) => {
      ws.write(
        'adapters/sleeper/adapter.yaml',
        'name: sleeper\nversion: 1.0.0\ndescription: E2E adapter whose step hangs.\nscripts:\n  bootstrap:\n    - file: scripts/hang.sh\n      description: Hang\n      timeout_seconds: 600\n',
      );
      ws.write('adapters/sleeper/scripts/hang.sh', readFileSync(join(REPO, 'tools/ztc/src/bootstrap/__fixtures__/scripts/hang.sh'), 'utf8'));
      ws.write('platforms/sleepy/platform.yaml', 'version: "1.0"\nadapters:\n  sleeper: {}\n');
      const tmp = mkdtempSync(join(tmpdir(), 'ztc-e2e-tmp-'));
      const env = cleanEnv({ TMPDIR: tmp, npm_config_script_shell: shell });
      const launcher = spawn('npx', ['nx', 'run', 'sleepy:stage-bootstrap', ...RUN], { cwd: ws.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          launcher.stdout.on('data', (c: Buffer) => (out += c.toString()).includes('[sleeper/hang] waiting') && resolve());
          launcher.once('exit', (code) => reject(new Error(`nx exited (${code}) before the step started:\n${out}`)));
        });
        const lock = 'platforms/sleepy/.ztc/run.lock';
        const ztcPid = (JSON.parse(ws.read(lock)) as { pid: number }).pid;
        const bgPid = Number(ws.read('platforms/sleepy/.ztc/state/bg.pid'));
        process.kill(launcher.pid!, 'SIGTERM');
        for (const deadline = Date.now() + 20_000; isProcessAlive(ztcPid) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
        expect(isProcessAlive(ztcPid)).toBe(false);
        expect(isProcessAlive(bgPid)).toBe(false);
        expect(readdirSync(tmp).filter((d) => d.startsWith('ztc-secure-'))).toEqual([]);
        expect(existsSync(join(ws.root, 'platforms/sleepy/.ztc/receipts/bootstrap/sleeper.hang.json'))).toBe(false);
        expect(existsSync(join(ws.root, lock))).toBe(false);
      } finally {
        launcher.kill('SIGKILL');
        rmSync(tmp, { recursive: true, force: true });
        for (const p of ['adapters/sleeper', 'platforms/sleepy']) ws.rm(p);
      }
    },
    90_000,
  );

  // The workspace's .env runs plugins in Nx's own process (docs/nx.md, "Plugin workers"); an adopting
  // monorepo keeps Nx's default, a worker per plugin. Either way a bad file is reported by name.
  it.each([
    ["in Nx's own process (this workspace)", 'false'],
    ["in a plugin worker (Nx's default)", 'true'],
  ])('reports an invalid adapter.yaml by file name while the rest of the graph still loads, plugin %s', async (_where, isolate) => {
    const valid = ws.read('adapters/talos/adapter.yaml');
    ws.write('adapters/talos/adapter.yaml', valid.replace(/^version: .*$/m, 'version: latest'));
    try {
      const r = await ws.nx(['graph', '--file=graph.json'], { NX_ISOLATE_PLUGINS: isolate });
      expect(r.stdout + r.stderr).toMatch(/adapters\/talos\/adapter\.yaml[\s\S]*version: must match pattern/);
      const { graph } = JSON.parse(ws.read('graph.json')) as { graph: { nodes: Record<string, unknown> } };
      expect(Object.keys(graph.nodes)).toEqual(expect.arrayContaining(['cilium', 'hetzner', 'example', 'edge']));
      expect(Object.keys(graph.nodes)).not.toContain('talos');
    } finally {
      ws.write('adapters/talos/adapter.yaml', valid);
    }
  });
});
