'use strict';
/**
 * Loads one of the engine's builds (dist/<name>.js: cli, plugin, executors, generators, ts-require).
 * In this repository, where the engine runs from its sources, the build is first brought up to date
 * with them (build/build.js, ensureFresh: a stat per source file; a rebuild, ~0.2 s, when one changed);
 * an installed package ships dist/ and no build/, and loads it as it is.
 */
const fs = require('node:fs');
const path = require('node:path');

const BUILD_SCRIPT = path.join(__dirname, '..', 'build', 'build.js');
const DIST = path.join(__dirname, '..', 'dist');
/** build.json of the build this process runs (read once). */
let build;

/** dist/build.json, current: in a source checkout rebuilt first when a source changed (a build error ends the process with exit 1: it cannot run). */
function currentBuild() {
  if (build !== undefined) return build;
  if (fs.existsSync(BUILD_SCRIPT)) {
    try {
      build = require(BUILD_SCRIPT).ensureFresh();
    } catch (e) {
      process.stderr.write(`ERROR: the engine's sources (${path.join(__dirname, '..')}) do not build:\n${e.message}\n`);
      process.exit(1);
    }
  } else {
    // Installed from a package: dist/ is what was published.
    try {
      build = JSON.parse(fs.readFileSync(path.join(DIST, 'build.json'), 'utf8'));
    } catch {
      build = {};
    }
  }
  return build;
}

/** The build `name` (dist/<name>.js), current. */
function load(name) {
  currentBuild();
  return require(path.join(DIST, `${name}.js`));
}

/** The id of the current build (dist/build.json), or undefined when it cannot be read. */
function buildId() {
  return currentBuild().id;
}

module.exports = { load, buildId };
