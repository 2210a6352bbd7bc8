'use strict';
/**
 * Entry point of the ZTC Nx plugin, exported as `@ztc/engine/plugin` (nx.json → plugins). A .js file, so
 * Nx does not register its own TypeScript loader (@swc-node/register costs ~0.6 s per process). The
 * plugin runs from the engine's bundle (bin/engine.js) and installs nothing global: Nx may load it into
 * its own process (NX_ISOLATE_PLUGINS=false, see docs/nx.md) as well as into a plugin worker.
 */
module.exports = require('./bin/engine.js').engine('plugin')('src/nx/index.ts');
