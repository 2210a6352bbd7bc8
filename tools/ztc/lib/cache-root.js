'use strict';
/**
 * Where ZTC keeps its content-addressed build caches (transpiled TypeScript, compiled validators):
 * `<workspace>/node_modules/.cache`, or ZTC_CACHE_DIR. Installed, the package sits below the workspace's
 * node_modules (the outermost one, also inside pnpm's store); in this repository it is tools/ztc, two
 * levels below the root.
 */
const path = require('node:path');

function findCacheRoot() {
  if (process.env.ZTC_CACHE_DIR) return process.env.ZTC_CACHE_DIR;
  const engine = path.join(__dirname, '..');
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = engine.indexOf(marker);
  if (at !== -1) return path.join(engine.slice(0, at + marker.length), '.cache');
  return path.join(engine, '..', '..', 'node_modules', '.cache');
}

module.exports = { cacheRoot: findCacheRoot() };
