#!/usr/bin/env node
// Measures what ZTC adds to each bootstrap step, against running the same trivial script with bare
// `bash` (spawn + wait, from Node). Three layers, median of N runs each:
//   runner    runScript: private temp dir, script + context files, process group, masked line output
//   step      executeStep + receipt: the above plus script hash check, log file, state-dir secret scan
//   full run  runBootstrap of a platform with 21 steps vs 1 step, divided by 20: everything per step
//             (events, receipts, stage loop); the fixed cost of a run (validate, lock) cancels out.
// Target (issue 4): overhead <= 30 ms per step. Usage: node scripts/bench-step-overhead.mjs [runs=30]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 30);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SCRIPT = '#!/usr/bin/env bash\nset -euo pipefail\necho "ok"\n';
const STEPS = 21;

const require = createRequire(import.meta.url);
require(join(root, 'tools/ztc/lib/load.js')).load('ts-require');
const { runScript } = require(join(root, 'tools/ztc/src/bootstrap/runner.ts'));
const { executeStep } = require(join(root, 'tools/ztc/src/bootstrap/execute-step.ts'));
const { writeReceipt } = require(join(root, 'tools/ztc/src/bootstrap/receipts.ts'));
const { stateArea } = require(join(root, 'tools/ztc/src/workspace/state-area.ts'));
const { Masker } = require(join(root, 'tools/ztc/src/bootstrap/masker.ts'));
const { runBootstrap } = require(join(root, 'tools/ztc/src/bootstrap/run-bootstrap.ts'));
const { planRender } = require(join(root, 'tools/ztc/src/render/plan.ts'));
const { applyRenderPlan } = require(join(root, 'tools/ztc/src/render/apply.ts'));

const ws = mkdtempSync(join(tmpdir(), 'ztc-bench-'));
// Private dirs the runner derives go below the bench's own folder, never into the real ~/.local/state.
process.env.XDG_STATE_HOME = join(ws, 'state');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ztc-bench-tmp-'));
const write = (rel, text) => {
  mkdirSync(dirname(join(ws, rel)), { recursive: true });
  writeFileSync(join(ws, rel), text);
};

function adapter(name, steps) {
  const list = Array.from({ length: steps }, (_, i) => `    - { name: s${i}, file: scripts/step.sh, description: trivial step, timeout_seconds: 30, required: true }`);
  write(`adapters/${name}/adapter.yaml`, `name: ${name}\nversion: 1.0.0\ndescription: bench\nscripts:\n  pre-work:\n${list.join('\n')}\n`);
  write(`adapters/${name}/scripts/step.sh`, SCRIPT);
  write(`platforms/p-${name}/platform.yaml`, `version: "1.0"\nadapters:\n  ${name}: {}\n`);
  applyRenderPlan(join(ws, `platforms/p-${name}`), planRender(ws, `p-${name}`));
}

async function sample(fn, n = runs) {
  await fn(); // warm up (module loading, first spawn)
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return xs;
}

const bare = () =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', [join(ws, 'adapters/one/scripts/step.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', resolve);
  });

try {
  write('nx.json', '{}\n');
  adapter('one', 1);
  adapter('many', STEPS);
  const masker = new Masker(['bench-secret-value-123456']);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };
  const area = stateArea(ws, 'p-one');
  mkdirSync(area.stateDir, { recursive: true });
  const bytes = readFileSync(join(ws, 'adapters/one/scripts/step.sh'));
  const step = {
    id: 'one/s0',
    adapter: 'one',
    adapter_version: '1.0.0',
    script: 'adapters/one/scripts/step.sh',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    files_sha256: '',
    libs: {},
    description: 'trivial step',
    timeout_seconds: 30,
    required: true,
    secret_env: [],
    context: { n: 1 },
  };
  const ctx = { area, privateDir: mkdtempSync(join(tmpRoot, 'private-')), env, allSecretNames: new Set(), masker, emit: () => {}, tmpRoot };

  const results = {
    bare: await sample(bare),
    runner: await sample(() =>
      runScript({ script: bytes, fileName: 'step.sh', displayPath: step.script, context: step.context, env, timeoutMs: 30_000, masker, tmpRoot, onLine: () => {} }),
    ),
    step: await sample(async () => {
      await executeStep(ctx, 'pre-work', step);
      writeReceipt(area, 'pre-work', step);
    }),
  };
  const fullRuns = Math.max(5, Math.round(runs / 5));
  const run = (p) => runBootstrap({ workspaceRoot: ws, platform: p, fresh: true, env, tmpRoot });
  const one = await sample(() => run('p-one'), fullRuns);
  const many = await sample(() => run('p-many'), fullRuns);
  const perStep = (median(many) - median(one)) / (STEPS - 1);

  const b = median(results.bare);
  console.log(`per-step overhead of the ZTC runner vs bare bash (trivial script; median of ${runs} runs, full run: ${fullRuns} runs)`);
  console.log('| what | median ms | min ms | max ms | overhead vs bare ms |');
  console.log('|---|---|---|---|---|');
  for (const [name, xs] of [
    ['bare `bash step.sh` (spawn + wait)', results.bare],
    ['runScript', results.runner],
    ['executeStep + receipt', results.step],
  ]) {
    console.log(`| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)} | ${Math.max(...xs).toFixed(1)} | ${(median(xs) - b).toFixed(1)} |`);
  }
  console.log(`| full run, per step ((${STEPS} steps - 1 step) / ${STEPS - 1}) | ${perStep.toFixed(1)} | | | ${(perStep - b).toFixed(1)} |`);
  console.log(`| full run of 1 step (validate, lock, pre-flight: fixed cost) | ${median(one).toFixed(1)} | ${Math.min(...one).toFixed(1)} | ${Math.max(...one).toFixed(1)} | |`);
  const worst = Math.max(median(results.step) - b, perStep - b);
  console.log(`\nworst per-step overhead: ${worst.toFixed(1)} ms (target <= 30 ms): ${worst <= 30 ? 'OK' : 'OVER TARGET'}`);
} finally {
  rmSync(ws, { recursive: true, force: true });
  rmSync(tmpRoot, { recursive: true, force: true });
}
