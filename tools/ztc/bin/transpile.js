'use strict';
/**
 * TypeScript → CommonJS with @swc/core (type stripping only), kept in a content-addressed cache
 * (`<cache>/ztc-ts`), so a warm start never loads swc at all. The cache key covers the source bytes, the
 * file path, the options and the swc version, so a stale entry can never be used. Used by register.js
 * (Node's `.ts` loader) and engine.js (the bundle); loading this file changes nothing global.
 */
const { createHash } = require('node:crypto');
const { writeCacheFile } = require('./cache-file.js');
const fs = require('node:fs');
const path = require('node:path');

const SWC_VERSION = require('@swc/core/package.json').version;
const CACHE_DIR = path.join(require('./cache-root.js').cacheRoot, 'ztc-ts');
let swc;

/**
 * CommonJS code for a TypeScript source. Inline source maps by default (for --enable-source-maps);
 * the bundle leaves them out.
 */
function transpile(source, filename, { sourceMaps = true } = {}) {
  const variant = sourceMaps ? '' : 'nomap\0';
  const key = createHash('sha256').update(`${SWC_VERSION}\0${variant}${filename}\0`).update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    /* cache miss */
  }
  swc ??= require('@swc/core');
  const { code } = swc.transformSync(source, {
    filename,
    sourceMaps: sourceMaps ? 'inline' : false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: true },
  });
  writeCacheFile(cached, code);
  return code;
}

module.exports = { transpile, SWC_VERSION };
