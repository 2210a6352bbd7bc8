#!/usr/bin/env node
// Measures `ztc render` / `ztc validate` of the committed example platform as a user runs them: a fresh
// `node` process per call (warm transpile and validator caches), median of N runs. Also reports the
// in-process render time, without Node start-up. Usage: node scripts/bench-render.mjs [runs=15]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'tools/ztc/bin/ztc.js');
const runs = Number(process.argv[2] ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeProcess(args) {
  execFileSync(process.execPath, [bin, ...args], { cwd: root }); // warm the caches
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    execFileSync(process.execPath, [bin, ...args], { cwd: root });
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples;
}

const require = createRequire(import.meta.url);
require(join(root, 'tools/ztc/lib/load.js')).load('ts-require');
const { planRender } = require(join(root, 'tools/ztc/src/render/plan.ts'));
planRender(root, 'example');
const inProcess = [];
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  planRender(root, 'example');
  inProcess.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const nodeFloor = [];
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '']);
  nodeFloor.push(Number(process.hrtime.bigint() - t) / 1e6);
}

const rows = [
  ['`ztc render example` (process, up to date)', timeProcess(['render', 'example'])],
  ['`ztc validate example` (process)', timeProcess(['validate', 'example'])],
  ['planRender in-process (no Node start-up)', inProcess],
  ['`node -e ""` (Node start-up floor)', nodeFloor],
];
console.log(`| what | median ms | min ms | max ms |  (${runs} runs)`);
console.log('|---|---|---|---|');
for (const [name, xs] of rows) {
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
}
