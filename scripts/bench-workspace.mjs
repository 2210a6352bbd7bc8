// Synthetic ZTC workspaces for `npm run bench`: N adapters in a capability DAG and one platform using all.
// Adapter i provides capability c<i>. Two shapes of DAG:
// - deep (the Nx probe's): i requires its binary-tree parent and, inside chains of 10, adapter i-1
//   (about 45 levels at 300 adapters);
// - layered: 6 layers; an adapter requires two capabilities of the layer before it (6 levels).
// Each adapter renders one file from a template and a payload from templates/payload.txt.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..');
const pad = (i) => String(i).padStart(3, '0');
export const adapterName = (i) => `a${pad(i)}`;
const capName = (i) => `c${pad(i)}`;

export const SHAPES = ['deep', 'layered'];

function requiresOf(i, n, shape) {
  const req = new Set();
  if (shape === 'layered') {
    const size = Math.ceil(n / 6);
    const layer = Math.floor(i / size);
    if (layer > 0) {
      const prev = (layer - 1) * size;
      req.add(prev + (i % size));
      req.add(prev + ((i * 7 + 3) % size));
    }
  } else {
    if (i > 0) req.add(Math.floor((i - 1) / 2));
    if (i > 0 && i % 10 !== 0) req.add(i - 1);
  }
  return [...req].filter((r) => r < n).sort((a, b) => a - b);
}

function write(root, rel, content) {
  const abs = join(root, rel);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, content);
}

/**
 * Nx's own floor for the same task graph: project `floor` (project.json, no ZTC) with one cached target per
 * adapter wired like the render tasks (`t-split` → `t-<a>` following the capability DAG → `t-all`), each
 * a shell `true` with one file input and no outputs. `nx run floor:t-all` fully cached is what Nx costs for
 * N+2 cached tasks that hash almost nothing and restore nothing.
 */
function writeFloorProject(dir, n, shape) {
  const task = (dependsOn) => ({ executor: 'nx:run-commands', options: { command: 'true' }, cache: true, inputs: ['{projectRoot}/project.json'], outputs: [], dependsOn });
  const targets = { 't-split': task([]) };
  for (let i = 0; i < n; i++) targets[`t-${adapterName(i)}`] = task(['t-split', ...requiresOf(i, n, shape).map((r) => `t-${adapterName(r)}`)]);
  targets['t-all'] = task(Array.from({ length: n }, (_, i) => `t-${adapterName(i)}`));
  write(dir, 'floor/project.json', `${JSON.stringify({ name: 'floor', root: 'floor', targets }, null, 2)}\n`);
}

/**
 * node_modules of a generated workspace: links to the repository's packages, except @ztc/engine, which is
 * the workspace's own copy of tools/ztc (as npm links it), so nx.json's @ztc/engine/plugin and the
 * executors run the engine the benchmark hashes. With `ownCache`, node_modules/.cache (ZTC's build
 * caches) is the workspace's own, so its cold start can be measured without touching the repository's.
 */
function linkNodeModules(dir, { ownCache = false, engine = true } = {}) {
  mkdirSync(join(dir, 'node_modules', '@ztc'), { recursive: true });
  for (const e of readdirSync(join(REPO, 'node_modules'))) {
    if (e === '@ztc' || (ownCache && e === '.cache')) continue;
    symlinkSync(join(REPO, 'node_modules', e), join(dir, 'node_modules', e));
  }
  if (engine) symlinkSync(join('..', '..', 'tools', 'ztc'), join(dir, 'node_modules', '@ztc', 'engine'), 'dir');
}

function commitAll(dir) {
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=bench@ztc', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=bench@ztc', '-c', 'user.name=bench', 'commit', '-q', '-m', 'bench workspace');
}

/**
 * This repository as a workspace: its package files, nx.json, .env, TypeScript configs, the engine, the
 * adapters and the example platform with its rendered output (as the e2e workspace copies them), with
 * its own ZTC build caches. What a contributor's checkout costs per command.
 */
export function generateExampleWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const copy = (rel) => cpSync(join(REPO, rel), join(dir, rel), { recursive: true, filter: (src) => !src.includes('node_modules') });
  // (tsconfig.base.json and tsconfig.json: the root configs of an older checkout, when it is measured.)
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.options.json', 'tsconfig.base.json', 'tsconfig.json', '.env', '.gitignore', 'tools/ztc', 'adapters']) {
    if (existsSync(join(REPO, f))) copy(f);
  }
  for (const f of ['platform.yaml', 'generated', 'pipeline.yaml', 'lock.json']) copy(`platforms/example/${f}`);
  linkNodeModules(dir, { ownCache: true });
  commitAll(dir);
  return dir;
}

/**
 * A bare Nx workspace in the same node_modules: nx.json with nothing but the settings every workspace
 * here has (no cloud, no analytics) and Nx's defaults otherwise, one project.json project, no ZTC. Its
 * targets: `noop`, one cached `true`; `t-<name>` for each target of `graph` (name → the names of the
 * targets it depends on, e.g. a platform's render targets), wired the same way, as cached `true`
 * commands that hash one file and restore nothing; and `d-<name>`, the same with each task also hashing
 * its dependencies' outputs (`dependentTasksOutputFiles`), as ZTC's render tasks do.
 */
export function generateBareWorkspace(dir, graph = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  write(dir, 'package.json', `${JSON.stringify({ name: 'bare', version: '0.0.0', private: true }, null, 2)}\n`);
  write(dir, 'nx.json', `${JSON.stringify({ neverConnectToCloud: true, analytics: false }, null, 2)}\n`);
  write(dir, '.gitignore', 'node_modules\n.nx/cache\n.nx/workspace-data\n');
  const task = (dependsOn = [], inputs = []) => ({
    executor: 'nx:run-commands',
    options: { command: 'true' },
    cache: true,
    inputs: ['{projectRoot}/project.json', ...inputs],
    outputs: [],
    dependsOn,
  });
  const targets = { noop: task() };
  for (const [name, deps] of Object.entries(graph)) targets[`t-${name}`] = task(deps.map((d) => `t-${d}`));
  // The same graph with a dependentTasksOutputFiles input, as ZTC's render tasks have (early cut-off):
  // Nx then hashes a task only once its dependencies are done, one level of the graph at a time.
  const depOutputs = { dependentTasksOutputFiles: '**/*.json', transitive: false };
  for (const [name, deps] of Object.entries(graph))
    targets[`d-${name}`] = task(
      deps.map((d) => `d-${d}`),
      deps.length > 0 ? [depOutputs] : [],
    );
  write(dir, 'bare/project.json', `${JSON.stringify({ name: 'bare', root: 'bare', targets }, null, 2)}\n`);
  linkNodeModules(dir, { ownCache: true, engine: false });
  commitAll(dir);
  return dir;
}

/** Create (or re-create) the workspace at `dir`; returns its root. A stable `dir` keeps transpile caches warm. */
export function generateWorkspace(dir, n, shape = 'deep') {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.options.json', '.env', '.gitignore']) {
    if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(dir, f));
  }
  cpSync(join(REPO, 'tools/ztc'), join(dir, 'tools/ztc'), {
    recursive: true,
    filter: (src) => !src.endsWith('.spec.ts') && !src.includes('__fixtures__'),
  });
  for (const f of readdirSync(join(dir, 'tools/ztc/capabilities'))) rmSync(join(dir, 'tools/ztc/capabilities', f));
  linkNodeModules(dir);
  const names = [];
  for (let i = 0; i < n; i++) {
    const a = adapterName(i);
    const c = capName(i);
    names.push(a);
    write(
      dir,
      `tools/ztc/capabilities/${c}.json`,
      `${JSON.stringify(
        {
          name: c,
          version: '1.0.0',
          description: `Synthetic capability ${c}`,
          schema: { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
        null,
        2,
      )}\n`,
    );
    const req = requiresOf(i, n, shape).map(capName);
    write(
      dir,
      `adapters/${a}/adapter.yaml`,
      [
        `name: ${a}`,
        'version: 1.0.0',
        `description: Synthetic adapter ${a}`,
        `provides: [${c}]`,
        `requires: [${req.join(', ')}]`,
        'render: render.ts',
        'inputs:',
        '  type: object',
        '  additionalProperties: false',
        '  properties:',
        '    size: { type: integer, default: 1 }',
        '',
      ].join('\n'),
    );
    write(
      dir,
      `adapters/${a}/render.ts`,
      [
        "import { defineRender } from '@ztc/engine';",
        '',
        'export const render = defineRender<{ size: number }>((config, _platform, capabilities, { template }) => ({',
        `  files: { '${a}/main.yaml': template('main.yaml', { name: '${a}', size: config.size, upstream: Object.keys(capabilities).sort().join(',') }) },`,
        `  capabilities: { ${c}: { name: '${a}', value: template('payload.txt', {}).trim() } },`,
        '}));',
        '',
      ].join('\n'),
    );
    write(dir, `adapters/${a}/templates/main.yaml`, '# adapter {{ name }}\nname: {{ name }}\nsize: {{ size }}\nupstream: "{{ upstream }}"\n');
    write(dir, `adapters/${a}/templates/payload.txt`, 'v1\n');
  }
  write(dir, 'platforms/main/platform.yaml', ['version: "1.0"', 'platform:', '  organization: bench', 'adapters:', ...names.map((a) => `  ${a}: { size: 1 }`), ''].join('\n'));
  writeFloorProject(dir, n, shape);
  commitAll(dir);
  return dir;
}
