'use strict';
/**
 * Packs an adapter folder as its npm package (`@ztc/adapter-<name>`, the version adapter.yaml gives):
 * a staging folder with what the package ships — adapter.yaml, the render module compiled to
 * JavaScript (render.js, esbuild; npm packages and @ztc/engine stay imports), templates/ and scripts/
 * — then `npm pack` of it. adapter.yaml names render.js there (its one `render:` line rewritten);
 * everything else is the adapter's own bytes, so it renders the same as the folder it came from.
 *
 * Usage: node tools/ztc/build/pack-adapter.js <adapter folder>... [--out <dir>]   (prints each tarball)
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

function fail(message) {
  const e = new Error(message);
  e.usage = true;
  throw e;
}

/** The package manifest of `dir`, checked against its adapter.yaml (name and version). */
function readManifest(dir) {
  const pkgFile = path.join(dir, 'package.json');
  const yamlFile = path.join(dir, 'adapter.yaml');
  if (!fs.existsSync(yamlFile)) fail(`${yamlFile}: not found (an adapter folder has adapter.yaml beside package.json)`);
  if (!fs.existsSync(pkgFile)) fail(`${pkgFile}: not found (an adapter package needs a package.json beside adapter.yaml)`);
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const { parse } = require('yaml');
  const adapter = parse(fs.readFileSync(yamlFile, 'utf8'));
  if (pkg.ztc?.adapter !== adapter.name) fail(`${pkgFile}: ztc.adapter is ${JSON.stringify(pkg.ztc?.adapter)}, adapter.yaml's name is ${JSON.stringify(adapter.name)}`);
  if (pkg.version !== adapter.version) fail(`${pkgFile}: version ${pkg.version} differs from adapter.yaml's ${adapter.version} (the package's version is the adapter's)`);
  return { pkg, adapter, yamlText: fs.readFileSync(yamlFile, 'utf8') };
}

/** Stage the package of the adapter in `dir` into `stage`. */
function stageAdapter(dir, stage) {
  const { pkg, adapter, yamlText } = readManifest(dir);
  fs.mkdirSync(stage, { recursive: true });
  let yamlOut = yamlText;
  if (adapter.render) {
    const js = adapter.render.replace(/\.[cm]?ts$/, '.js');
    require('esbuild').buildSync({
      entryPoints: [path.join(dir, adapter.render)],
      outfile: path.join(stage, js),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20.19',
      packages: 'external',
      // The engine stays an import even where a tsconfig maps @ztc/engine to its sources (this repository).
      external: ['@ztc/engine', '@ztc/engine/*'],
      legalComments: 'none',
      logLevel: 'silent',
    });
    if (js !== adapter.render) {
      const line = new RegExp(`^render: *["']?${adapter.render.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']? *$`, 'm');
      if (!line.test(yamlOut)) fail(`${path.join(dir, 'adapter.yaml')}: expected a line "render: ${adapter.render}" to point at the compiled ${js}`);
      yamlOut = yamlOut.replace(line, `render: ${js}`);
    }
  }
  fs.writeFileSync(path.join(stage, 'adapter.yaml'), yamlOut);
  for (const f of pkg.files ?? []) {
    if (f === 'adapter.yaml' || f.endsWith('.js')) continue;
    const src = path.join(dir, f);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(stage, f), { recursive: true, filter: (s) => !/\.(spec|test)\.[cm]?[jt]s$/.test(s) });
  }
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return pkg;
}

/** Pack the adapter in `dir` into `out`; returns the tarball's path. */
function packAdapter(dir, out) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ztc-adapter-pack-'));
  try {
    stageAdapter(path.resolve(dir), stage);
    fs.mkdirSync(out, { recursive: true });
    const json = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', path.resolve(out)], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return path.join(path.resolve(out), JSON.parse(json)[0].filename);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

module.exports = { packAdapter, stageAdapter, readManifest };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const out = at === -1 ? process.cwd() : args[at + 1];
  // Without --out (at is -1) every argument is a folder; with it, neither --out nor its value is.
  const dirs = at === -1 ? args : args.filter((_, i) => i !== at && i !== at + 1);
  if (dirs.length === 0 || out === undefined) {
    console.error('usage: node tools/ztc/build/pack-adapter.js <adapter folder>... [--out <dir>]');
    process.exit(64);
  }
  try {
    for (const dir of dirs) console.log(packAdapter(dir, out));
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = e.usage ? 3 : 1;
  }
}
