'use strict';
/**
 * Loads ZTC's TypeScript sources (engine, CLI, Nx plugin, adapter render modules) without a build step:
 * Node's `.ts` loader, transpiling through transpile.js (content-addressed cache, swc only on a miss).
 *
 * Why not @swc-node/register: it costs ~0.6 s per process here (it loads TypeScript to read tsconfig),
 * which would dominate `ztc render` and every Nx task.
 *
 * When the engine runs from its bundle (engine.js), files the bundle holds are not transpiled again:
 * the bundle's precompiled code runs in the module Node created for the file, so a render module that
 * imports `@ztc/engine` shares the modules the engine already loaded.
 */
const fs = require('node:fs');
const path = require('node:path');
const { transpile } = require('./transpile.js');

// Node >= 22.1: V8's code cache for the modules loaded from files from here on: render modules and the
// packages they load. (The engine's bundle keeps its own code cache, also on Node 20; enabling this
// cache at start-up cost an up-to-date `ztc render` ~2%, with nothing to gain there.) In ZTC's cache
// folder, not the shared os.tmpdir(); a no-op where a cache is already on (Nx's processes).
require('node:module').enableCompileCache?.(path.join(require('./cache-root.js').cacheRoot, 'ztc-node-compile-cache'));

/** engine.js, if this process loaded it (it serves the files its bundle holds). */
const ENGINE_JS = path.join(__dirname, 'engine.js');

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function loadTs(module, filename) {
    if (require.cache[ENGINE_JS]?.exports.precompiled?.(module, filename)) return;
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}
