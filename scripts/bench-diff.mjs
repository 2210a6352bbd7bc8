#!/usr/bin/env node
// `npm run bench:diff`: `ztc validate --diff`'s unified diff (tools/ztc/src/util/diff.ts) on a 20,000-line
// file drifted in several ways, in-process: median time of N runs, and the peak memory of a fresh process
// that diffs it once (its max RSS, less that of a process that only loads the module). The former
// hand-written LCS took 13.6 s and 3.3 GB for such a file (issue 20).
//   node scripts/bench-diff.mjs [runs=5] [lines=20000]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** diff.ts transpiled on its own (its one import is the `diff` package), independent of how the engine loads. */
function loadDiff() {
  const ts = require('typescript');
  const file = join(root, 'tools/ztc/src/util/diff.ts');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', outputText)(mod, mod.exports, createRequire(file));
  return mod.exports;
}
const { unifiedDiff } = loadDiff();

const [, , runsArg, linesArg, onlyShape] = process.argv;
const runs = Number(runsArg ?? 5);
const N = Number(linesArg ?? 20000);

/** Kubernetes-like YAML: most lines repeat across documents (`kind:`, `protocol: TCP`), some are unique. */
function manifests(n) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    out.push(
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: app-${i}`,
      '  namespace: apps',
      'spec:',
      '  replicas: 2',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: app-${i}`,
      `          image: registry.example/app-${i}:v1.0.${i % 7}`,
      '          ports:',
      '            - containerPort: 8080',
      '              protocol: TCP',
    );
  }
  return out.slice(0, n);
}
const base = manifests(N);
const SHAPES = {
  'one line edited': (a) => a.map((l, i) => (i === a.length >> 1 ? `${l} # drifted` : l)),
  'every image tag bumped (1 line in 16)': (a) => a.map((l) => l.replace(/:v1\.0\./, ':v1.1.')),
  'every 3rd line edited': (a) => a.map((l, i) => (i % 3 === 0 ? `${l} # drifted` : l)),
  'every line edited': (a) => a.map((l) => `${l} # drifted`),
  'half the file replaced': (a) => [...a.slice(0, a.length >> 1), ...manifests(a.length >> 1).map((l) => l.replace('app-', 'svc-'))],
  '2,000-line block moved to the end': (a) => [...a.slice(0, 4000), ...a.slice(6000), ...a.slice(4000, 6000)],
  'the only newline at the end removed': (a) => a,
  'lines reversed (worst case: shown whole past MAX_EDITS)': (a) => [...a].reverse(),
};
const text = (a) => `${a.join('\n')}\n`;
const pair = (shape) => {
  const before = text(base);
  const after = text(SHAPES[shape](base));
  return shape.startsWith('the only newline') ? [before, after.slice(0, -1)] : [before, after];
};

if (onlyShape !== undefined) {
  // Child: diff once (or only load, for the baseline) and print the peak RSS in KiB.
  if (onlyShape !== '') unifiedDiff(...pair(onlyShape), 'big.yaml');
  console.log(process.resourceUsage().maxRSS);
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const child = (shape) => Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '1', String(N), shape], { encoding: 'utf8' }).trim());
const baseline = child('');
console.log(`| ${N}-line file, drift | median ms | max ms | diff lines | peak memory MiB |  (${runs} runs)`);
console.log('|---|---|---|---|---|');
for (const shape of Object.keys(SHAPES)) {
  const [before, after] = pair(shape);
  let out = '';
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    out = unifiedDiff(before, after, 'big.yaml');
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const mem = Math.max(0, child(shape) - baseline) / 1024;
  console.log(`| ${shape} | ${median(samples).toFixed(0)} | ${Math.max(...samples).toFixed(0)} | ${out.split('\n').length} | ${mem.toFixed(0)} |`);
}
