'use strict';
/**
 * Loads ZTC's TypeScript sources (engine, CLI, Nx plugin, adapter render modules) without a build step.
 *
 * Why not @swc-node/register: it costs ~0.6 s per process here (it loads TypeScript to read tsconfig),
 * which would dominate `ztc render` and every Nx task. This hook transpiles each .ts file once with
 * @swc/core (type stripping only, CommonJS output) and keeps the result in a content-addressed cache, so a
 * warm start never loads swc at all. The cache key covers the source bytes, the file path and the swc
 * version, so a stale entry can never be used.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const SWC_VERSION = require('@swc/core/package.json').version;

const CACHE_DIR = path.join(require('./cache-root.js').cacheRoot, 'ztc-ts');
let swc;

function transpile(source, filename) {
  const key = createHash('sha256').update(`${SWC_VERSION}\0${filename}\0`).update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    /* cache miss */
  }
  swc ??= require('@swc/core');
  const { code } = swc.transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: true },
  });
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
  } catch {
    /* a read-only cache only costs speed */
  }
  return code;
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function loadTs(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}
