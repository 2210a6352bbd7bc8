'use strict';
/**
 * Builds the engine package ahead of time into `dist/` (esbuild): one CommonJS bundle per kind of
 * process (the `ztc` CLI, the Nx plugin, the executors, the generators), the public entries
 * (`@ztc/engine`, `@ztc/engine/testing`) and the TypeScript loader for workspace adapters' render.ts;
 * npm packages stay external (the package's dependencies). `--types` also writes the declarations
 * (`tsc -p tools/ztc/tsconfig.build.json`), which `npm pack` and consumers' type-checks need.
 *
 * In this repository the engine also runs from its sources without a step to remember: `npm ci` builds
 * (the root package's `prepare`), and every entry point (lib/load.js) asks `ensureFresh()` first, which
 * compares the sources the last build read (dist/build.json: size and mtime of each) and rebuilds when
 * one changed (~0.2 s). This file is not part of the published package, so an installed engine never
 * builds or checks anything.
 *
 * Usage: node tools/ztc/build/build.js [--types]
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const BUILD_FILE = path.join(DIST, 'build.json');
/** Bump when what a build holds or how build.json is laid out changes. */
const FORMAT = 'ztc-build-1';

/** dist/<name>.js ← source. */
const ENTRIES = {
  cli: 'src/entry/cli.ts',
  plugin: 'src/nx/index.ts',
  executors: 'src/entry/executors.ts',
  generators: 'src/entry/generators.ts',
  index: 'src/index.ts',
  testing: 'testing/index.ts',
  'ts-require': 'src/entry/ts-require.ts',
};

/** Declarations of the public entries, under dist/types (tsconfig.build.json). */
const TYPE_ENTRIES = ['src/index.d.ts', 'testing/index.d.ts'];

function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Size and mtime of a file, as build.json records them. */
function signature(file) {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st === undefined ? null : [st.size, st.mtimeMs];
}

/** Bundle every entry into dist/ and record what was read; returns build.json's content. */
function build() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, src])),
    outdir: DIST,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    packages: 'external',
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const { createHash } = require('node:crypto');
  const digest = createHash('sha256');
  for (const out of [...result.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    digest.update(`${path.relative(DIST, out.path)}\0`).update(out.contents);
    writeAtomic(out.path, out.contents);
  }
  const inputs = [...Object.keys(result.metafile.inputs), 'build/build.js', 'package.json']
    .map((rel) => rel.split(path.sep).join('/'))
    .sort()
    .map((rel) => [rel, ...signature(path.join(ROOT, rel))]);
  const info = { format: FORMAT, id: digest.digest('hex').slice(0, 32), inputs };
  writeAtomic(BUILD_FILE, `${JSON.stringify(info)}\n`);
  return info;
}

/** build.json when dist/ was built from the sources as they are now (every input's size and mtime unchanged), else undefined. */
function currentBuild() {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(BUILD_FILE, 'utf8'));
  } catch {
    return undefined;
  }
  if (info.format !== FORMAT) return undefined;
  for (const [rel, size, mtime] of info.inputs) {
    const sig = signature(path.join(ROOT, rel));
    if (sig === null || sig[0] !== size || sig[1] !== mtime) return undefined;
  }
  return info;
}

/**
 * build.json of a current dist/, built first unless it is current. Throws esbuild's error (with every
 * message) when the sources do not build.
 */
function ensureFresh() {
  return currentBuild() ?? build();
}

/** Declarations of the public entries (dist/types), with tsc. */
function buildTypes() {
  const { execFileSync } = require('node:child_process');
  // Into a folder of its own, swapped in at the end: a concurrent `npm pack` or lint never sees a half-made dist/types.
  const types = path.join(DIST, `types.${process.pid}.tmp`);
  fs.rmSync(types, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', types], { stdio: 'inherit' });
  // tsc declares every file the entries reach; keep only those their declarations import (the rest
  // would ship types that name Node's, which a consumer without @types/node cannot read).
  const keep = new Set();
  const queue = TYPE_ENTRIES.map((rel) => path.join(types, rel));
  while (queue.length > 0) {
    const file = queue.shift();
    if (keep.has(file)) continue;
    keep.add(file);
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'/g)) queue.push(path.join(path.dirname(file), `${spec}.d.ts`));
  }
  for (const rel of fs.readdirSync(types, { recursive: true })) {
    const file = path.join(types, rel);
    if (rel.endsWith('.d.ts') && !keep.has(file)) fs.rmSync(file);
  }
  for (const rel of fs.readdirSync(types, { recursive: true }).sort().reverse()) {
    const dir = path.join(types, rel);
    if (fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
  const old = path.join(DIST, `types.${process.pid}.old`);
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(path.join(DIST, 'types'))) fs.renameSync(path.join(DIST, 'types'), old);
  fs.renameSync(types, path.join(DIST, 'types'));
  fs.rmSync(old, { recursive: true, force: true });
}

module.exports = { build, ensureFresh, currentBuild, buildTypes, ENTRIES };

if (require.main === module) {
  try {
    const info = build();
    if (process.argv.includes('--types')) buildTypes();
    console.log(`built tools/ztc/dist (${Object.keys(ENTRIES).length} entries, ${info.inputs.length} inputs, build ${info.id})`);
  } catch (e) {
    console.error(e.errors ? e.message : e);
    process.exitCode = 1;
  }
}
