/**
 * Adopting ZTC in an existing Nx monorepo, as a user would: `npm pack` the engine package, make a fresh
 * Nx workspace with its own `lint` and `test` targets (and targetDefaults for them), `nx add` the
 * tarball, move the roots with the init generator, generate an adapter and a platform there, and run
 * render, lint, bootstrap, affected and graph. Nothing of this repository is linked in: the workspace
 * installs nx and the tarball with npm (from npm's cache when it has them).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../nx/workspace';
import { adoptEnv } from './adopt-env';

const NX_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.nx!;
const MINUTE = 60_000;
const CLUSTER_RENDER = `import { defineRender } from '@ztc/engine';

export const render = defineRender<{ namespace: string; replicas: number }>((config, platform, _capabilities, { template }) => ({
  files: { 'cluster/config.yaml': template('config.yaml', { config, platform: { name: platform.name } }) },
  capabilities: { 'kubernetes-api': { endpoint: 'https://203.0.113.10:6443', cluster_name: 'lab', kubernetes_version: '1.33.0' } },
}));
`;

interface Run {
  code: number;
  out: string;
}

const env = (): NodeJS.ProcessEnv => adoptEnv({ NX_ISOLATE_PLUGINS: 'true' });

function run(cwd: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...env(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('adopting ZTC in an existing Nx workspace (npm pack → nx add)', () => {
  let dir: string;
  let ws: string;
  let tarball: string;
  const write = (rel: string, content: string): void => {
    mkdirSync(dirname(join(ws, rel)), { recursive: true });
    writeFileSync(join(ws, rel), content);
  };
  const read = (rel: string): string => readFileSync(join(ws, rel), 'utf8');
  const nx = (...args: string[]): Promise<Run> => run(ws, process.execPath, [join(ws, 'node_modules/nx/dist/bin/nx.js'), ...args], { ZTC_PRIVATE_DIR: join(dir, 'private') });
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=e2e@acme', '-c', 'user.name=e2e', ...args], { cwd: ws, encoding: 'utf8' }).trim();
  const commit = (message: string): string => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'ztc-adopt-')));
    ws = join(dir, 'acme');
    const pack = await run(join(REPO, 'tools/ztc'), 'npm', ['pack', '--json', '--pack-destination', dir]);
    expect(pack.code, pack.out).toBe(0);
    const [info] = JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, info!.filename);
    packed = info!.files.map((f) => f.path);
    write('package.json', `${JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*'], devDependencies: { nx: NX_VERSION } }, null, 2)}\n`);
    write(
      'nx.json',
      `${JSON.stringify({ neverConnectToCloud: true, analytics: false, cacheDirectory: '.nx/cache', targetDefaults: { lint: { cache: true }, test: { cache: true, dependsOn: ['^build'] } } }, null, 2)}\n`,
    );
    write(
      'packages/web/package.json',
      `${JSON.stringify({ name: '@acme/web', version: '1.0.0', scripts: { lint: 'node -e "console.log(\'web: own lint\')"', test: 'node -e "console.log(\'web: own test\')"' } }, null, 2)}\n`,
    );
    write('.gitignore', 'node_modules\n.nx\n');
    const install = await run(ws, 'npm', ['install']);
    expect(install.code, install.out).toBe(0);
    git('init', '-q', '-b', 'main');
    commit('acme monorepo');
  }, 5 * MINUTE);
  afterAll(() => dir && !process.env.ZTC_E2E_KEEP && rmSync(dir, { recursive: true, force: true }));
  let packed: string[] = [];

  it('packs what a user installs: the built engine (JavaScript and declarations), CLI, plugin, executors, generators, script library, schemas, contracts; no TypeScript source', () => {
    for (const f of [
      'package.json',
      'README.md',
      'bin/ztc.js',
      'lib/load.js',
      'dist/cli.js',
      'dist/index.js',
      'dist/testing.js',
      'dist/types/src/index.d.ts',
      'dist/types/testing/index.d.ts',
      'nx-plugin.js',
      'executors.json',
      'generators.json',
      'migrations.json',
      'scripts/ztc.sh',
      'schemas/adapter.schema.json',
      'capabilities/kubernetes-api.json',
      'src/nx/generators/init/schema.json',
    ]) {
      expect(packed).toContain(f);
    }
    expect(packed.filter((f) => /\.(ts|mts|cts)$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(packed.filter((f) => /__fixtures__|^testing\/|^build\//.test(f))).toEqual([]);
  });

  it('nx add registers the plugin by package name, prefixed because the workspace already has lint and test', async () => {
    const add = await nx('add', `@ztc/engine@file:${tarball}`);
    expect(add.code, add.out).toBe(0);
    const plugins = (JSON.parse(read('nx.json')) as { plugins: unknown[] }).plugins;
    expect(plugins).toEqual([{ plugin: '@ztc/engine/plugin', options: { targetPrefix: 'ztc-' } }]);
    expect(read('package.json')).toContain('"@ztc/engine": "file:');
    const roots = await nx('g', '@ztc/engine:init', '--adaptersRoot=infra/ztc/adapters', '--platformsRoot=infra/ztc/platforms', '--capabilitiesRoot=infra/ztc/capabilities');
    expect(roots.code, roots.out).toBe(0);
    expect(read('.gitignore')).toContain('infra/ztc/platforms/*/.ztc\n');
  });

  it('generates an adapter and a platform under the custom roots and renders them through Nx and the CLI alike', async () => {
    const adapter = await nx('g', '@ztc/engine:adapter', 'demo', '--provides=demo-api', '--requires=kubernetes-api', '--stages=bootstrap', '--no-interactive');
    expect(adapter.code, adapter.out).toBe(0);
    expect(read('infra/ztc/capabilities/demo-api.json')).toContain('"name": "demo-api"');
    const script = read('infra/ztc/adapters/demo/scripts/bootstrap/apply.sh');
    expect(script).toContain('# shellcheck source=ztc.sh\n. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"');
    // kubernetes-api comes from the contracts the package ships; a provider for it is a second adapter.
    const k8s = await nx('g', '@ztc/engine:adapter', 'cluster', '--provides=kubernetes-api', '--stages=', '--no-interactive');
    expect(k8s.code, k8s.out).toBe(0);
    write('infra/ztc/adapters/cluster/render.ts', CLUSTER_RENDER);
    rmSync(join(ws, 'infra/ztc/adapters/cluster/render.spec.ts'));
    const platform = await nx('g', '@ztc/engine:platform', 'lab', '--organization=acme', '--appName=acme-lab', '--set=demo.replicas=2', '--no-interactive');
    expect(platform.code, platform.out).toBe(0);
    expect(read('infra/ztc/platforms/lab/platform.yaml')).toContain('  demo:\n    replicas: 2\n');
    expect(platform.out).toContain('Next: nx run lab:ztc-render');

    const render = await nx('run', 'lab:ztc-render', '--outputStyle=stream');
    expect(render.code, render.out).toBe(0);
    expect(read('infra/ztc/platforms/lab/generated/demo/config.yaml')).toContain('replicas: 2');
    const ztc = (...args: string[]): Promise<Run> => run(ws, join(ws, 'node_modules/.bin/ztc'), args);
    const validate = await ztc('validate', 'lab');
    expect(validate.code, validate.out).toBe(0);
    expect(validate.out).toContain('infra/ztc/platforms/lab: no drift');
  });

  it("keeps the workspace's own lint and test apart from ZTC's targets", async () => {
    const show = await nx('show', 'project', 'demo', '--json');
    expect(show.code, show.out).toBe(0);
    // This workspace has no vitest: the adapter's specs get no test target (vitest-setup.ts).
    expect(Object.keys((JSON.parse(show.out) as { targets: object }).targets).sort()).toEqual(['ztc-lint']);
    const own = await nx('run-many', '-t', 'lint', 'test', '--outputStyle=stream');
    expect(own.code, own.out).toBe(0);
    expect(own.out).toContain('web: own lint');
    expect(own.out).toContain('web: own test');
    expect(own.out).not.toContain('demo:');
    const lint = await nx('run-many', '-t', 'ztc-lint', '--outputStyle=stream');
    expect(lint.code, lint.out).toBe(0);
    expect(lint.out).toContain('infra/ztc/adapters/demo: ok (adapter.yaml, 1 template, 1 script)');
  });

  it('bootstraps the platform through the stage targets, the stub script sourcing ztc.sh from the package', async () => {
    const boot = await nx('run', 'lab:ztc-bootstrap', '--outputStyle=stream');
    expect(boot.code, boot.out).toBe(0);
    expect(boot.out).toContain('demo: apply in namespace demo (stub)');
    // Run by hand, the stub finds the package's ztc.sh only through ZTC_LIB_DIR, and says so without it.
    write('ctx.json', '{"namespace": "by-hand"}');
    const byHand = await run(ws, 'bash', ['infra/ztc/adapters/demo/scripts/bootstrap/apply.sh'], {
      ZTC_CONTEXT_FILE: join(ws, 'ctx.json'),
      ZTC_LIB_DIR: join(ws, 'node_modules/@ztc/engine/scripts'),
    });
    expect(byHand.out).toContain('demo: apply in namespace by-hand (stub)');
    const without = await run(ws, 'bash', ['infra/ztc/adapters/demo/scripts/bootstrap/apply.sh'], { ZTC_CONTEXT_FILE: join(ws, 'ctx.json') });
    expect(without.code).not.toBe(0);
    expect(without.out).toContain('ZTC_LIB_DIR: is set by ztc bootstrap');
  });

  it('shows the projects and their edges in nx graph, and nx affected follows an adapter change to its platform', async () => {
    const graph = await nx('graph', '--file=graph.json');
    expect(graph.code, graph.out).toBe(0);
    const g = (JSON.parse(read('graph.json')) as { graph: { nodes: Record<string, unknown>; dependencies: Record<string, { target: string; type: string }[]> } }).graph;
    expect(Object.keys(g.nodes).sort()).toEqual(['@acme/web', 'cluster', 'demo', 'lab']);
    const deps = (p: string): string[] => g.dependencies[p]!.map((d) => `${d.target} ${d.type}`).sort();
    expect(deps('lab')).toEqual(['cluster static', 'demo static']);
    expect(deps('demo')).toEqual(['cluster implicit']);
    rmSync(join(ws, 'graph.json'));
    // The graph file leaves npm nodes out; the project graph has the adapters' edge to the installed engine.
    const api = await run(ws, process.execPath, [
      '-e',
      "require('@nx/devkit').createProjectGraphAsync({ exitOnError: true }).then((g) => console.log(JSON.stringify(g.dependencies.demo)))",
    ]);
    expect(api.code, api.out).toBe(0);
    const full = (JSON.parse(api.out.trim().split('\n').pop()!) as { target: string; type: string }[]).map((d) => `${d.target} ${d.type}`).sort();
    expect(full).toEqual(['cluster implicit', 'npm:@ztc/engine static']);

    const base = commit('ztc adopted');
    write('infra/ztc/adapters/demo/templates/config.yaml', `${read('infra/ztc/adapters/demo/templates/config.yaml')}# tuned\n`);
    const head = commit('tune demo');
    const affected = await nx('show', 'projects', '--affected', `--base=${base}`, `--head=${head}`, '--json');
    expect(affected.code, affected.out).toBe(0);
    expect((JSON.parse(affected.out.slice(affected.out.indexOf('['))) as string[]).sort()).toEqual(['demo', 'lab']);
    const rerender = await nx('affected', '-t', 'ztc-render', `--base=${base}`, `--head=${head}`, '--outputStyle=stream');
    expect(rerender.code, rerender.out).toBe(0);
    expect(read('infra/ztc/platforms/lab/generated/demo/config.yaml')).toContain('# tuned');
  });
});
