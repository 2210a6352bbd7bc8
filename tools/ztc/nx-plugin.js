'use strict';
/**
 * Entry point of the ZTC Nx plugin, exported as `@ztc/engine/plugin` (nx.json → plugins): the plugin's
 * build (dist/plugin.js). A .js file, so Nx registers no TypeScript loader of its own; it installs
 * nothing global, so Nx may load it into its own process (NX_ISOLATE_PLUGINS=false, see docs/nx.md)
 * as well as into a plugin worker.
 */
module.exports = require('./lib/load.js').load('plugin');
