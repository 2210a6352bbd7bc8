// Per-command overhead of this repository's workspace (bench-workspace.mjs generateExampleWorkspace)
// against a bare Nx workspace in the same node_modules (generateBareWorkspace), and of `ztc render`
// against Node's own start. Everything is measured in interleaved rounds (one run of each command per
// round), so the ratios compare runs made under the same load on a shared machine; each ratio is the
// median of the per-round ratios. Used by bench.mjs (section "overhead").
import { rmSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBareWorkspace, generateExampleWorkspace } from './bench-workspace.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Render targets of the example platform as name → the render targets it depends on. */
function renderGraph(project) {
  const isRender = (name) => name === 'split-config' || name === 'render' || name.startsWith('render-');
  const graph = {};
  for (const [name, target] of Object.entries(project.targets)) {
    if (isRender(name)) graph[name] = (target.dependsOn ?? []).filter((d) => typeof d === 'string' && isRender(d));
  }
  return graph;
}

/**
 * `timed(cwd, cmd, args, extraEnv)` runs a command and returns { ms, stdout } (throws on failure).
 * Returns the rows of the overhead table.
 */
export function measureOverhead({ base, runs, timed, nodes = [] }) {
  const ex = generateExampleWorkspace(join(base, 'example'));
  const nx = (ws, args, env = {}) => timed(ws, process.execPath, [join(ws, 'node_modules/nx/dist/bin/nx.js'), ...args], env);
  const project = JSON.parse(nx(ex, ['show', 'project', 'example', '--json']).stdout);
  const bare = generateBareWorkspace(join(base, 'bare'), renderGraph(project));
  const tasks = Object.keys(renderGraph(project)).length;

  const allHits = (ws, what) => {
    const run = JSON.parse(readFileSync(join(ws, '.nx/cache/run.json'), 'utf8'));
    const ran = run.tasks.filter((t) => t.cacheStatus === 'cache-miss').map((t) => t.taskId);
    if (ran.length > 0) throw new Error(`${what} in ${ws} was not fully cached: ran ${ran.join(', ')}`);
  };
  const cases = {
    showBare: (env) => nx(bare, ['show', 'projects'], env).ms,
    showEx: (env) => nx(ex, ['show', 'projects'], env).ms,
    noop: (env) => nx(bare, ['run', 'bare:noop', '--outputStyle=stream'], env).ms,
    graph: (env) => nx(bare, ['run', 'bare:t-render', '--outputStyle=stream'], env).ms,
    depGraph: (env) => nx(bare, ['run', 'bare:d-render', '--outputStyle=stream'], env).ms,
    render: (env, warmUp) => {
      const { ms } = nx(ex, ['run', 'example:render', '--outputStyle=stream'], env);
      if (!warmUp) allHits(ex, 'nx run example:render');
      return ms;
    },
  };
  /** Interleaved rounds of the named cases; returns name → samples. */
  const rounds = (names, env = {}, n = runs) => {
    for (const name of names) cases[name](env, true); // fill caches, start daemons
    const out = Object.fromEntries(names.map((name) => [name, []]));
    for (let i = 0; i < n; i++) for (const name of names) out[name].push(cases[name](env));
    return out;
  };
  const ratio = (xs, ys) => median(xs.map((x, i) => x / ys[i]));
  const row = (what, ours, theirs, target) => ({ what, ours: median(ours), theirs: median(theirs), ratio: ratio(ours, theirs), target });
  const rows = [];

  const off = rounds(['showBare', 'showEx', 'noop', 'graph', 'depGraph', 'render'], { NX_DAEMON: 'false' });
  rows.push(row('`nx show projects`, daemon off', off.showEx, off.showBare, '≤ 1.1×'));
  rows.push(row(`\`nx run example:render\` fully cached (${tasks} tasks) ÷ \`bare:noop\` (1 task), daemon off`, off.render, off.noop, '≤ 1.15×'));
  rows.push(row(`the same ÷ \`bare:t-render\` (the same ${tasks}-task graph of \`true\`), daemon off`, off.render, off.graph, ''));
  rows.push(row(`the same ÷ \`bare:d-render\` (that graph hashing its dependencies' outputs, as render tasks do), daemon off`, off.render, off.depGraph, ''));

  const daemon = { NX_DAEMON: 'true' };
  let on;
  try {
    for (const ws of [bare, ex]) nx(ws, ['daemon', '--start'], daemon);
    for (let i = 0; i < 2; i++) for (const name of ['showBare', 'showEx', 'noop', 'graph', 'depGraph', 'render']) cases[name](daemon, true); // the daemons compute their graphs
    on = rounds(['noop', 'graph', 'depGraph', 'render'], daemon);
  } finally {
    for (const ws of [bare, ex]) {
      try {
        nx(ws, ['daemon', '--stop'], daemon);
      } catch {
        /* not running */
      }
    }
  }
  rows.push(row('`nx run example:render` fully cached ÷ `bare:noop`, warm daemon', on.render, on.noop, '≤ 1.15×'));
  rows.push(row(`the same ÷ \`bare:t-render\`, warm daemon`, on.render, on.graph, ''));
  rows.push(row(`the same ÷ \`bare:d-render\` (that graph hashing its dependencies' outputs, as render tasks do), warm daemon`, on.render, on.depGraph, ''));

  // Like for like: both workspaces with plugin workers (Nx's default, what an adopting monorepo has), and
  // both without. The example workspace's .env turns them off; the environment wins over .env.
  const iso = rounds(['showBare', 'showEx', 'noop', 'render'], { NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'true' });
  rows.push(row('like for like, both with plugin workers: `nx show projects`', iso.showEx, iso.showBare, ''));
  rows.push(row('like for like, both with plugin workers: cached render ÷ `bare:noop`', iso.render, iso.noop, ''));
  const inproc = rounds(['showBare', 'showEx', 'noop', 'render'], { NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false' });
  rows.push(row('like for like, both without plugin workers: `nx show projects`', inproc.showEx, inproc.showBare, ''));
  rows.push(row('like for like, both without plugin workers: cached render ÷ `bare:noop`', inproc.render, inproc.noop, ''));

  // ztc itself: an up-to-date render as a process, against `node -e 0`; and with ZTC's build caches
  // emptied before each run (a fresh clone after npm ci), against the warm run of the same round.
  const ztc = () => timed(ex, process.execPath, [join(ex, 'tools/ztc/bin/ztc.js'), 'render', 'example']).ms;
  const dropCaches = () => {
    const dir = join(ex, 'node_modules/.cache');
    for (const e of readdirSync(dir)) if (e.startsWith('ztc-')) rmSync(join(dir, e), { recursive: true, force: true });
  };
  ztc();
  const floor = [];
  const warm = [];
  const cold = [];
  const cliRuns = Math.max(runs, 11);
  for (let i = 0; i < cliRuns; i++) {
    floor.push(timed(ex, process.execPath, ['-e', '0']).ms);
    warm.push(ztc());
    dropCaches();
    cold.push(ztc());
  }
  rows.push(row(`\`ztc render example\` (up to date) ÷ \`node -e 0\`, Node ${process.versions.node}`, warm, floor, '≤ 1.8×'));
  // The same on the other Nodes users run (binaries from the npm registry: bench.mjs --nodes).
  for (const node of nodes) {
    const version = timed(ex, node, ['-p', 'process.versions.node']).stdout.trim();
    const ztcOn = () => timed(ex, node, [join(ex, 'tools/ztc/bin/ztc.js'), 'render', 'example']).ms;
    ztcOn();
    ztcOn(); // the second up-to-date run on a Node vouches for the stamp the first one wrote
    const nodeFloor = [];
    const nodeWarm = [];
    for (let i = 0; i < cliRuns; i++) {
      nodeFloor.push(timed(ex, node, ['-e', '0']).ms);
      nodeWarm.push(ztcOn());
    }
    rows.push(row(`\`ztc render example\` (up to date) ÷ \`node -e 0\`, Node ${version}`, nodeWarm, nodeFloor, '≤ 1.8×'));
  }
  rows.push(row("`ztc render example` with ZTC's caches empty (fresh clone) ÷ warm", cold, warm, '≤ 2×'));
  return { rows, tasks, cliRuns };
}
