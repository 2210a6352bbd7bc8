'use strict';
/**
 * Loads the engine for one kind of process (the `ztc` CLI, the Nx plugin, the executors) from a bundle:
 * every module the entry points can reach — the engine's TypeScript, already transpiled, and the
 * pure-JS package every run uses (semver) — in one script, with the `require` calls
 * between them resolved in advance. Loading it is one file read and one compile (from V8's code cache
 * after the first run), instead of ~200 module resolutions, file reads and compiles.
 *
 * The bundle is a cache, not a build step: it is made on demand (with @swc/core, as bin/register.js
 * transpiles) into `<cache>/ztc-bundle/` and checked on every start against the files it was made from
 * (size and ctime, which every write changes; content hash when those differ), so an edited source file
 * is never served stale.
 * Modules keep CommonJS semantics exactly: each runs on its first `require`, with its own `module`,
 * `__filename` and `__dirname`, and is registered in Node's module cache under its real path, so a
 * render module that imports `@ztc/engine` gets the very modules the engine runs on. Anything the
 * bundle does not hold (other packages, a file that uses `import()`) is loaded by Node as usual.
 *
 * ZTC_BUNDLE=0 turns it off (every module from its own file, e.g. for stack traces with real file
 * names); when the bundle cannot be made or read, the engine loads the same way.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');
const { cacheRoot } = require('./cache-root.js');
const { nameHash } = require('./name-hash.js');
const { writeAtomic } = require('./cache-file.js');

const ENGINE_ROOT = path.join(__dirname, '..');
/** Bump when the bundle's layout or what it holds changes: it is part of every bundle's key. */
const FORMAT = 'ztc-bundle-6';
const BUNDLE_DIR = path.join(cacheRoot, 'ztc-bundle');
/**
 * npm packages carried in the bundle: pure CommonJS and used by every run. (yaml is not: the engine
 * loads it only to parse or serialize what its caches do not hold.)
 */
const INLINE_PACKAGES = new Set(['semver']);

/** Entry points (relative to the engine package) of each kind of process. */
const ENTRIES = {
  cli: ['src/cli/main.ts', 'src/bootstrap/signals.ts', 'src/index.ts'],
  plugin: ['src/nx/index.ts'],
  executors: ['src/nx/executors/render/executor.ts', 'src/nx/executors/lint/executor.ts', 'src/index.ts'],
};

// node:crypto on first use only: loading it costs ~3 ms on Node 22, and a current bundle needs no digest.
const sha256 = (data) => require('node:crypto').createHash('sha256').update(data).digest('hex');
const toPosix = (p) => p.split(path.sep).join('/');

function realRoot() {
  try {
    return fs.realpathSync(ENGINE_ROOT);
  } catch {
    return ENGINE_ROOT;
  }
}


// ---------------------------------------------------------------------------------------------------
// Making a bundle

const REQUIRE_CALL = /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g;
/** A dynamic import in the code: the keyword, a parenthesis, then a quote or a name (a bare mention of import() does not count). */
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"`\w$]/;

/** A stand-in parent module for resolving `spec` as `file` would. */
function parentFor(file) {
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  return m;
}

/**
 * The folder of the npm package `file` belongs to, or undefined for a file of the engine itself (which
 * may be installed under node_modules too) or of no package.
 */
function packageDir(file, root) {
  const inEngine = file.startsWith(`${root}${path.sep}`);
  const parts = (inEngine ? path.relative(root, file) : file).split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1 || at + 1 >= parts.length) return undefined;
  const dir = parts.slice(0, at + (parts[at + 1].startsWith('@') ? 3 : 2)).join(path.sep);
  return inEngine ? path.join(root, dir) : dir;
}

/** Whether the resolved file belongs in the bundle: engine code, JSON, the packages named above. */
function bundleable(file, root) {
  if (file.endsWith('.json')) return true;
  const pkg = packageDir(file, root);
  if (pkg !== undefined) {
    const [scope, name] = pkg.split(path.sep).slice(-2);
    return INLINE_PACKAGES.has(scope.startsWith('@') ? `${scope}/${name}` : name) && file.endsWith('.js');
  }
  if (!file.startsWith(`${root}${path.sep}`)) return false;
  const rel = toPosix(path.relative(root, file));
  return /^(src|bin)\//.test(rel) && /\.(ts|js)$/.test(rel) && !/\.spec\.ts$/.test(rel) && !rel.includes('__fixtures__/');
}

/** Code of one module as the bundle holds it, or undefined when Node should load it itself. */
function moduleCode(file, source, transpile) {
  if (file.endsWith('.json')) return `module.exports = ${JSON.stringify(JSON.parse(source))};`;
  const code = file.endsWith('.ts') ? transpile(source, file, { sourceMaps: false }) : source;
  // vm scripts cannot `import()` the way a module file can; such a module stays a file of its own.
  return DYNAMIC_IMPORT.test(code) ? undefined : code.replace(/^#!.*/, '');
}

/** Collect the modules reachable from `entries`, transpile them and write the bundle and its manifest. */
function build(kind, root, manifestFile) {
  // Resolving `./x` to x.ts needs a `.ts` entry among Node's extensions; it is removed again afterwards
  // unless register.js installed one, so building leaves nothing behind in the process.
  const ownTsKey = !Module._extensions['.ts'];
  if (ownTsKey) Module._extensions['.ts'] = () => {
    throw new Error('ztc bundle: .ts files load through bin/register.js');
  };
  try {
    return collect(kind, root, manifestFile);
  } finally {
    if (ownTsKey) delete Module._extensions['.ts'];
  }
}

function collect(kind, root, manifestFile) {
  const { transpile, SWC_VERSION } = require('./transpile.js');
  const modules = new Map(); // absolute file -> { code, links }
  const inputs = [];
  // The loader itself: how a bundle is made and run is part of what it is.
  for (const file of [__filename, require.resolve('./transpile.js')]) {
    const raw = fs.readFileSync(file);
    const stat = fs.statSync(file);
    inputs.push([toPosix(path.relative(root, fs.realpathSync(file))), stat.size, stat.ctimeMs, sha256(raw)]);
  }
  const queue = ENTRIES[kind].map((rel) => path.join(root, rel));
  const tracked = new Set();
  const track = (file) => {
    if (tracked.has(file)) return;
    tracked.add(file);
    const stat = fs.statSync(file);
    inputs.push([toPosix(path.relative(root, file)), stat.size, stat.ctimeMs, sha256(fs.readFileSync(file))]);
  };
  while (queue.length > 0) {
    const file = queue.shift();
    if (modules.has(file)) continue;
    const raw = fs.readFileSync(file);
    // An npm package is identified by its package.json (name, version), as Nx and lockfiles do.
    const pkg = packageDir(file, root);
    track(pkg === undefined ? file : path.join(pkg, 'package.json'));
    const code = moduleCode(file, raw.toString('utf8'), transpile);
    modules.set(file, code === undefined ? null : { code, links: {} });
    if (code === undefined) continue;
    const parent = parentFor(file);
    for (const [, , spec] of code.matchAll(REQUIRE_CALL)) {
      if (spec.startsWith('node:') || Module.isBuiltin(spec)) continue;
      let target;
      try {
        target = Module._resolveFilename(spec, parent);
      } catch {
        continue; // resolved (and failing) at run time, as Node would
      }
      if (!bundleable(target, root)) continue;
      modules.get(file).links[spec] = toPosix(path.relative(root, target));
      queue.push(target);
    }
  }
  const parts = [];
  for (const [file, mod] of modules) {
    if (mod === null) continue;
    const links = Object.fromEntries(Object.entries(mod.links).filter(([, rel]) => modules.get(path.join(root, rel)) !== null));
    parts.push(`${JSON.stringify(toPosix(path.relative(root, file)))}: [function (exports, require, module, __filename, __dirname) {\n${mod.code}\n}, ${JSON.stringify(links)}]`);
  }
  const text = `(function () { return {\n${parts.join(',\n')}\n}; })`;
  const key = sha256(`${FORMAT}\0${SWC_VERSION}\0${text}`).slice(0, 32);
  const bundle = path.join(BUNDLE_DIR, `${kind}-${key}.js`);
  const manifest = { format: FORMAT, root, bundle: path.basename(bundle), inputs };
  try {
    if (!fs.existsSync(bundle)) writeAtomic(bundle, text);
    writeAtomic(manifestFile, JSON.stringify(manifest));
    pruneBundles(kind, manifest.bundle);
  } catch {
    /* an unwritable cache only costs speed: this process runs the bundle all the same */
  }
  return { manifest, text };
}

/**
 * Remove manifests of engine copies that are gone (test workspaces) or of another bundle format, and bundles of `kind` (with their
 * code caches) that no manifest names any more and that are older than a minute (a bundle is written
 * before its manifest, possibly by another process right now).
 */
function pruneBundles(kind, keep) {
  const entries = fs.readdirSync(BUNDLE_DIR);
  const named = new Set([keep]);
  for (const e of entries) {
    if (!e.endsWith('.json')) continue;
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(BUNDLE_DIR, e), 'utf8'));
      if (manifest.format === FORMAT && fs.existsSync(manifest.root)) named.add(manifest.bundle);
      else fs.rmSync(path.join(BUNDLE_DIR, e), { force: true });
    } catch {
      /* being written, or not ours */
    }
  }
  const old = Date.now() - 60_000;
  for (const e of entries) {
    const bundle = /^(.*\.js)$/.exec(e)?.[1] ?? /^(.*)\.v[\d.]+-\w+\.cache$/.exec(e)?.[1]?.concat('.js');
    if (!bundle || !bundle.startsWith(`${kind}-`) || named.has(bundle)) continue;
    const file = path.join(BUNDLE_DIR, e);
    try {
      if (fs.statSync(file).mtimeMs < old) fs.rmSync(file, { force: true });
    } catch {
      /* gone already */
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Finding a current bundle

/**
 * The manifest in `manifestFile` when every input it lists is unchanged, else undefined. An input whose
 * size and ctime are as recorded is unchanged; with `byContent`, so is one whose content has the
 * recorded sha256 (a checkout, a copy), and its new ctime is recorded in the manifest file.
 */
function currentManifest(manifestFile, root, byContent) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT || manifest.root !== root) return undefined;
  let touched = false;
  for (const input of manifest.inputs) {
    const file = path.join(root, input[0]);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat || stat.size !== input[1]) return undefined;
    if (stat.ctimeMs === input[2]) continue;
    if (!byContent || sha256(fs.readFileSync(file)) !== input[3]) return undefined;
    input[2] = stat.ctimeMs;
    touched = true;
  }
  if (touched) {
    try {
      writeAtomic(manifestFile, JSON.stringify(manifest));
    } catch {
      /* checked by content again next time */
    }
  }
  return manifest;
}

/** The current manifest (see currentManifest) and its bundle's text, or undefined. */
function currentBundle(manifestFile, root) {
  const manifest = currentManifest(manifestFile, root, true);
  if (manifest === undefined) return undefined;
  try {
    return { manifest, text: fs.readFileSync(path.join(BUNDLE_DIR, manifest.bundle), 'utf8') };
  } catch {
    return undefined;
  }
}

/** The manifest file of `kind`'s bundle for the engine at `root`. */
function manifestPath(kind, root) {
  return path.join(BUNDLE_DIR, `${kind}-${nameHash(root)}.json`);
}

/**
 * Name of the bundle of `kind` when it is current by size and ctime of every input alone (nothing is
 * read but the manifest); else undefined, also when only the content check could tell. For the render
 * stamp (render-stamp.js), which must know the engine is the one that wrote it without loading it.
 */
function currentBundleName(kind) {
  if (process.env.ZTC_BUNDLE === '0') return undefined;
  const root = realRoot();
  return currentManifest(manifestPath(kind, root), root, false)?.bundle;
}

// ---------------------------------------------------------------------------------------------------
// Running a bundle

/** V8 code cache of a bundle, per Node build (V8 refuses data from another version or flags). */
function codeCacheFile(bundleName) {
  return path.join(BUNDLE_DIR, `${bundleName.slice(0, -3)}.${process.version}-${process.arch}.cache`);
}

function compile(text, bundleName) {
  const cacheFile = codeCacheFile(bundleName);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* first run on this Node */
  }
  const script = new vm.Script(text, { filename: path.join(BUNDLE_DIR, bundleName), cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so it holds the functions this run compiled, not only the top level.
    process.once('exit', () => {
      try {
        writeAtomic(cacheFile, script.createCachedData());
      } catch {
        /* an unwritable cache only costs speed */
      }
    });
  }
  return script.runInThisContext()();
}

/** The module table of a bundle: load modules by engine-relative path, serve them to Node's loader. */
function moduleTable(defs, root) {
  const byFile = new Map(Object.keys(defs).map((rel) => [path.join(root, rel), rel]));

  function makeRequire(mod, links) {
    const req = (spec) => {
      const target = links[spec];
      if (target !== undefined) return load(target, mod);
      // A TypeScript file the bundle does not hold (one that uses import()): Node needs the loader.
      if ((spec.startsWith('.') || path.isAbsolute(spec)) && !/\.(js|cjs|json|node)$/.test(spec)) require('./register.js');
      return mod.require(spec);
    };
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    req.main = require.main;
    req.extensions = Module._extensions;
    req.cache = Module._cache;
    return req;
  }

  function run(rel, mod) {
    const [fn, links] = defs[rel];
    fn.call(mod.exports, mod.exports, makeRequire(mod, links), mod, mod.filename, path.dirname(mod.filename));
  }

  function load(rel, parent) {
    const filename = path.join(root, rel);
    const cached = Module._cache[filename];
    if (cached !== undefined) {
      if (parent && !parent.children.includes(cached)) parent.children.push(cached);
      return cached.exports;
    }
    const mod = new Module(filename, parent);
    mod.filename = filename;
    mod.paths = Module._nodeModulePaths(path.dirname(filename));
    Module._cache[filename] = mod;
    let loaded = false;
    try {
      run(rel, mod);
      loaded = true;
    } finally {
      if (!loaded) {
        delete Module._cache[filename];
        const at = parent ? parent.children.indexOf(mod) : -1;
        if (at !== -1) parent.children.splice(at, 1);
      }
    }
    mod.loaded = true;
    return mod.exports;
  }

  return {
    has: (rel) => Object.hasOwn(defs, rel),
    load: (rel, parent) => load(rel, parent),
    /** For Node's `.ts` loader: run the bundle's code for `filename` in `mod`; false if not bundled. */
    precompiled(mod, filename) {
      const rel = byFile.get(filename);
      if (rel === undefined) return false;
      run(rel, mod);
      return true;
    },
  };
}

/** Name of the bundle this process runs from (`cli-<key>.js`), once one is open. */
let active;

/** The bundle's module table for `kind`, made or refreshed as needed; undefined when it cannot be had. */
function openBundle(kind) {
  if (process.env.ZTC_BUNDLE === '0') return undefined;
  try {
    const root = realRoot();
    const manifestFile = manifestPath(kind, root);
    const found = currentBundle(manifestFile, root) ?? build(kind, root, manifestFile);
    const table = moduleTable(compile(found.text, found.manifest.bundle), root);
    active = found.manifest.bundle;
    return table;
  } catch {
    return undefined; // no swc, an unreadable cache, a file that does not parse: load from source instead
  }
}

/** The open bundle's module table (one per process). */
let activeTable;

/**
 * A `require` for engine files (paths relative to the engine package, `src/cli/main.ts`) in a process
 * of the given kind. Nothing global is installed while the bundle holds what runs: Node's `.ts` loader
 * (register.js) only when a TypeScript file outside the bundle is loaded (a render module), and then it
 * serves the bundle's files from the bundle. The Nx plugin may run
 * inside Nx's own process; its bundle holds everything it loads.
 */
function engine(kind) {
  const table = openBundle(kind);
  activeTable ??= table;
  return (rel) => {
    if (table?.has(rel)) return table.load(rel, module);
    require('./register.js');
    return require(path.join(ENGINE_ROOT, rel));
  };
}

/** For register.js: run the open bundle's code for `filename` in `mod`; false when it holds no such file. */
function precompiled(mod, filename) {
  return activeTable ? activeTable.precompiled(mod, filename) : false;
}

/**
 * The bundle this process runs the engine from (its file name, which holds the sha256 of its code), or
 * undefined when the engine runs from its source files: an identity of the engine code, for caches of
 * results that depend on it (render-memo.ts).
 */
function activeBundle() {
  return active;
}

module.exports = { engine, activeBundle, currentBundleName, precompiled };
