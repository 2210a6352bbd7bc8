#!/usr/bin/env node
// `npm run bench`: the Nx layer on synthetic workspaces (see bench-workspace.mjs), medians of --runs runs:
// `ztc render` in-process; `nx run main:render` cold (no cache, no outputs), fully cached, after one
// adapter template changed (files only), after one adapter's capability payload changed; and
// `nx show projects`, the fixed cost of any nx command on that workspace; and Nx's floor, the same task
// graph of cached no-op tasks (project `floor`, see bench-workspace.mjs). Writes a markdown table.
// Also (section "overhead", bench-overhead.mjs): this repository's workspace against a bare Nx workspace,
// per command, and `ztc render` against Node's start. Each section replaces its part of --out (between
// its markers) and leaves the rest of the file as it is.
// The CLI is also measured on the other Node majors of --nodes (binaries from the npm registry through
// scripts/node-from-registry.sh; `--nodes ''` for none, e.g. offline).
//   node scripts/bench.mjs [--sizes 20,100,300] [--shapes deep,layered] [--runs 3] [--overhead-runs 9]
//                          [--nodes 22,24] [--only dags|overhead] [--out docs/bench.md]
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { childEnv } from '../tools/ztc/testing/child-env.js';
import { measureOverhead } from './bench-overhead.mjs';
import { adapterName, generateWorkspace, REPO, SHAPES } from './bench-workspace.mjs';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20,100,300' },
    shapes: { type: 'string', default: 'deep,layered' },
    runs: { type: 'string', default: '3' },
    'overhead-runs': { type: 'string', default: '9' },
    nodes: { type: 'string', default: '22,24' },
    only: { type: 'string' },
    out: { type: 'string', default: 'docs/bench.md' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const shapes = values.shapes.split(',');
const runs = Number(values.runs);
const sections = values.only ? values.only.split(',') : ['overhead', 'dags'];
// NX_* and ZTC_* of the caller's shell would change what is measured (ZTC_CACHE_DIR: a warm "fresh clone").
const env = childEnv('bench', { set: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' } });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms < 100 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function timed(cwd, cmd, args, extraEnv = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const nx = (ws, ...args) => timed(ws, process.execPath, [join(ws, 'node_modules/nx/dist/bin/nx.js'), ...args]);
const render = (ws) => nx(ws, 'run', 'main:render', '--outputStyle=stream');

/** Tasks of the last run by cache status. */
function lastRun(ws) {
  const run = JSON.parse(readFileSync(join(ws, '.nx/cache/run.json'), 'utf8'));
  const ran = run.tasks.filter((t) => t.cacheStatus === 'cache-miss').map((t) => t.taskId.split(':')[1]);
  return { total: run.tasks.length, hits: run.tasks.length - ran.length, ran };
}

/** Longest chain of adapters in the capability DAG (the levels Nx walks when it looks tasks up). */
function depthOf(ws, n) {
  const depth = [];
  for (let i = 0; i < n; i++) {
    const yaml = readFileSync(join(ws, 'adapters', adapterName(i), 'adapter.yaml'), 'utf8');
    const req = (/^requires: \[(.*)\]$/m.exec(yaml)?.[1] ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    depth.push(1 + Math.max(0, ...req.map((c) => depth[Number(c.slice(1))])));
  }
  return Math.max(...depth);
}

function wipeOutputs(ws) {
  for (const p of ['generated', 'lock.json', 'pipeline.yaml', '.ztc']) rmSync(join(ws, 'platforms/main', p), { recursive: true, force: true });
}

function series(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(fn(i));
  return out;
}

const IN_PROCESS = `
require('./tools/ztc/lib/load.js').load('ts-require');
const { planRender } = require('./tools/ztc/src/render/plan.ts');
const { applyRenderPlan } = require('./tools/ztc/src/render/apply.ts');
const t0 = performance.now();
const plan = planRender(process.cwd(), 'main');
applyRenderPlan(process.cwd() + '/platforms/main', plan);
process.stdout.write(String(performance.now() - t0));
`;

for (const shape of shapes) if (!SHAPES.includes(shape)) throw new Error(`unknown shape ${shape} (${SHAPES.join(', ')})`);
const cases = sections.includes('dags') ? shapes.flatMap((shape) => sizes.map((n) => ({ shape, n }))) : [];
const rows = [];
for (const { shape, n } of cases) {
  const ws = generateWorkspace(join(tmpdir(), 'ztc-bench', `${shape}-${n}`), n, shape);
  const mid = adapterName(Math.floor(n / 2));
  process.stderr.write(`== ${n} adapters, ${shape} (${ws}), changing ${mid}\n`);
  timed(ws, process.execPath, ['tools/ztc/bin/ztc.js', 'render', 'main']); // warm the transpile cache

  const inProcess = series(runs, () => {
    wipeOutputs(ws);
    return Number(timed(ws, process.execPath, ['-e', IN_PROCESS]).stdout);
  });
  const cold = series(runs, () => {
    rmSync(join(ws, '.nx'), { recursive: true, force: true });
    wipeOutputs(ws);
    return render(ws).ms;
  });
  nx(ws, 'run', 'floor:t-all', '--outputStyle=stream'); // fill the cache of Nx's floor project
  // Interleaved, so that the ratios compare runs made under the same load on this shared machine.
  const show = [];
  const cached = [];
  const floor = [];
  const allHits = (ms, what) => {
    const run = lastRun(ws);
    if (run.ran.length > 0) throw new Error(`${what} in ${ws} was not fully cached: ran ${run.ran.join(', ')}`);
    return ms;
  };
  for (let i = 0; i < runs; i++) {
    show.push(nx(ws, 'show', 'projects').ms);
    cached.push(allHits(render(ws).ms, 'nx run main:render'));
    floor.push(allHits(nx(ws, 'run', 'floor:t-all', '--outputStyle=stream').ms, 'nx run floor:t-all'));
  }
  const ratio = (xs) => median(xs.map((x, i) => x / show[i]));
  let templateRun;
  const template = series(runs, (i) => {
    appendFileSync(join(ws, 'adapters', mid, 'templates/main.yaml'), `# change ${i}\n`);
    const ms = render(ws).ms;
    templateRun = lastRun(ws);
    return ms;
  });
  let payloadRun;
  const payload = series(runs, (i) => {
    writeFileSync(join(ws, 'adapters', mid, 'templates/payload.txt'), `v${i + 2}\n`);
    const ms = render(ws).ms;
    payloadRun = lastRun(ws);
    return ms;
  });
  const row = {
    shape,
    depth: depthOf(ws, n),
    n,
    tasks: templateRun.total,
    inProcess: median(inProcess),
    show: median(show),
    cold: median(cold),
    cached: median(cached),
    cachedRatio: ratio(cached),
    floor: median(floor),
    floorRatio: ratio(floor),
    cachedFloorRatio: median(cached.map((x, i) => x / floor[i])),
    template: median(template),
    templateRun,
    payload: median(payload),
    payloadRun,
  };
  rows.push(row);
  process.stderr.write(`${JSON.stringify({ ...row, templateRun: templateRun.ran, payloadRun: payloadRun.ran })}\n`);
}

const host = () =>
  `${availableParallelism()} cores, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
const fmtRatio = (r) => `${r.toFixed(2)}×`;

/** The markdown of one section, between its markers in --out. */
const parts = {};

if (sections.includes('overhead')) {
  process.stderr.write('== overhead: this workspace against a bare Nx workspace\n');
  const overheadRuns = Number(values['overhead-runs']);
  const nodeDirs = values.nodes
    .split(',')
    .filter(Boolean)
    .map((major) => {
      const dir = spawnSync('scripts/node-from-registry.sh', [major], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
      if (!dir) process.stderr.write(`bench: no Node ${major} from the npm registry (offline?); its row is left out\n`);
      return dir;
    });
  const nodes = nodeDirs.filter(Boolean).map((dir) => join(dir, 'bin/node'));
  let measured;
  try {
    measured = measureOverhead({ base: join(tmpdir(), 'ztc-bench'), runs: overheadRuns, timed, nodes });
  } finally {
    for (const dir of nodeDirs.filter(Boolean)) rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  const { rows: o, tasks, cliRuns } = measured;
  parts.overhead = [
    '## Per-command overhead: this workspace against a bare Nx workspace',
    '',
    `Generated by \`npm run bench\` (scripts/bench-overhead.mjs) on ${host()} at the end. Interleaved rounds`,
    `(${overheadRuns} for Nx, ${cliRuns} for the CLI; one run of every command per round); times are medians, each ratio is the`,
    'median of the per-round ratios. *This workspace*: a copy of the repository (package files, nx.json, .env,',
    'TypeScript configs, tools/ztc, the adapters, the example platform and its output) with its own ZTC build',
    'caches. *Bare*: nx.json with `neverConnectToCloud` and `analytics: false` and Nx defaults otherwise (plugin',
    'workers on), one project.json project, the same node_modules. `bare:noop` is one cached `true`;',
    `\`bare:t-render\` is the example's ${tasks} render tasks wired the same way as cached \`true\` commands.`,
    'No Nx Cloud. "Fresh clone": ZTC\'s build caches (node_modules/.cache/ztc-*) removed before the run.',
    '',
    '| what | this workspace | compared with | ratio | target |',
    '|---|---:|---:|---:|---|',
    ...o.map((r) => `| ${r.what} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ${fmtRatio(r.ratio)} | ${r.target} |`),
  ].join('\n');
  process.stderr.write(`${parts.overhead}\n`);
}

if (sections.includes('dags')) {
  parts.dags = [
    '## Synthetic workspaces: 20, 100, 300 adapters',
    '',
    `Generated by \`npm run bench\` (scripts/bench.mjs) on ${host()} at the end; medians of ${runs} runs, wall clock.`,
    "Workspaces: N adapters and one platform using all of them, with this repository's nx.json and .env; `nx run main:render` runs N+2 tasks",
    '(split-config, one per adapter, render). DAG shapes: *deep* = adapter i requires its binary-tree parent and,',
    'within chains of 10, adapter i-1 (the shape of the Nx probe); *layered* = 6 layers, each adapter requires two',
    'capabilities of the layer before. Depth = longest capability chain. Daemon off (the default in CI and Docker), no Nx Cloud.',
    '*Nx floor*: `nx run floor:t-all` fully cached, a project.json project in the same workspace with the same N+2',
    'task graph of cached `true` commands that hash one file and restore nothing: what Nx itself costs for that many',
    'cache hits. `nx show projects`, render fully cached and the floor run interleaved; ratios are medians of per-round ratios.',
    '',
    '| DAG | adapters | depth | `ztc render` in-process | `nx show projects` | render cold | render fully cached | cached ÷ show | Nx floor | floor ÷ show | cached ÷ floor | one template changed | one payload changed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.shape} | ${r.n} | ${r.depth} | ${fmt(r.inProcess)} | ${fmt(r.show)} | ${fmt(r.cold)} | ${fmt(r.cached)} | ${fmtRatio(r.cachedRatio)} | ` +
        `${fmt(r.floor)} | ${fmtRatio(r.floorRatio)} | ${fmtRatio(r.cachedFloorRatio)} | ` +
        `${fmt(r.template)} (${r.templateRun.hits}/${r.templateRun.total} hits) | ${fmt(r.payload)} (${r.payloadRun.hits}/${r.payloadRun.total} hits) |`,
    ),
    '',
    'Tasks that ran, last run of each change scenario:',
    '',
    ...rows.map((r) => `- ${r.shape}, ${r.n} adapters: template changed → ${r.templateRun.ran.join(', ')}; payload changed → ${r.payloadRun.ran.join(', ')}`),
  ].join('\n');
}

/** Replace each measured section between its markers; a file without them gets the sections appended. */
const outFile = resolve(REPO, values.out);
let doc = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '# Benchmarks\n';
for (const [name, text] of Object.entries(parts)) {
  const begin = `<!-- bench:${name} begin -->`;
  const end = `<!-- bench:${name} end -->`;
  const block = `${begin}\n${text}\n${end}`;
  const at = doc.indexOf(begin);
  const until = doc.indexOf(end);
  doc = at !== -1 && until > at ? doc.slice(0, at) + block + doc.slice(until + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
}
writeFileSync(outFile, doc);
process.stdout.write(`${Object.values(parts).join('\n\n')}\nwritten to ${values.out}\n`);
