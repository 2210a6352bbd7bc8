'use strict';
/**
 * Entry point of the ZTC Nx plugin, exported as `@ztc/engine/plugin` (nx.json → plugins). A .js file, so
 * Nx does not register its own TypeScript loader (@swc-node/register costs ~0.6 s per process); ZTC's
 * loader keeps transpiled sources in a content-addressed cache instead.
 */
require('./bin/register.js');
module.exports = require('./src/nx/index.ts');
