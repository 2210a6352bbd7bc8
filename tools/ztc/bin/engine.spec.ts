/**
 * bin/engine.js: the engine's bundle, made on demand in the cache. Each case runs in a fresh Node process
 * with its own cache folder (ZTC_CACHE_DIR), as the CLI, the Nx plugin and the executors would.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ENGINE = join(__dirname, '..');
const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Run `body` in a fresh Node process (`engine` is bin/engine.js of `engineRoot`); returns what it prints as JSON. */
function inChild(body: string, env: Record<string, string>, engineRoot = ENGINE): Record<string, unknown> {
  const script = `const engine = require(${JSON.stringify(join(engineRoot, 'bin/engine.js'))});\n${body}`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const print = 'process.stdout.write(JSON.stringify(out));';

describe('the engine bundle', () => {
  it('runs the CLI from one bundle: engine modules keep their real paths in the module cache, no .ts loader is installed', () => {
    const cache = tempDir('ztc-bundle-cache-');
    const body = `
      const req = engine.engine('cli');
      const main = req('src/cli/main.ts');
      const file = ${JSON.stringify(join(ENGINE, 'src/cli/main.ts'))};
      const out = { bundle: engine.activeBundle(), main: typeof main.main, cached: require.cache[file]?.exports === main, tsLoader: typeof require.extensions['.ts'] };
      ${print}`;
    const first = inChild(body, { ZTC_CACHE_DIR: cache });
    expect(first).toEqual({ bundle: expect.stringMatching(/^cli-[0-9a-f]{32}\.js$/), main: 'function', cached: true, tsLoader: 'undefined' });
    // The second process finds the same bundle, and V8's code cache for it.
    const second = inChild(body, { ZTC_CACHE_DIR: cache });
    expect(second.bundle).toBe(first.bundle);
    expect(readdirSync(join(cache, 'ztc-bundle')).filter((f) => f.endsWith('.cache'))).toHaveLength(1);
  });

  it("gives a render module's `@ztc/engine` the module the engine runs, served from the bundle", () => {
    const cache = tempDir('ztc-bundle-cache-');
    const out = inChild(
      `
      const req = engine.engine('cli');
      const fromBundle = req('src/index.ts');
      require(${JSON.stringify(join(ENGINE, 'bin/register.js'))}); // what render-adapter.ts does before loading a render module
      const fromNode = require(${JSON.stringify(join(ENGINE, 'src/index.ts'))});
      const out = { same: fromBundle === fromNode, defineRender: typeof fromNode.defineRender };
      ${print}`,
      { ZTC_CACHE_DIR: cache },
    );
    expect(out).toEqual({ same: true, defineRender: 'function' });
  });

  it('holds everything the Nx plugin loads, so it installs nothing global in the process that loads it', () => {
    const cache = tempDir('ztc-bundle-cache-');
    const ws = tempDir('ztc-bundle-ws-');
    writeFileSync(join(ws, 'nx.json'), '{}');
    const out = inChild(
      `
      const globalsBefore = Object.keys(globalThis).sort().join();
      const extensions = Object.keys(require.extensions).join();
      const plugin = engine.engine('plugin')('src/nx/index.ts');
      (async () => {
        const nodes = await plugin.createNodes[1]([], {}, { workspaceRoot: ${JSON.stringify(ws)}, nxJsonConfiguration: {} });
        const deps = await plugin.createDependencies({}, { workspaceRoot: ${JSON.stringify(ws)}, projects: {}, externalNodes: {}, fileMap: { projectFileMap: {}, nonProjectFiles: [] }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] }, nxJsonConfiguration: {} });
        const out = {
          name: plugin.name, nodes, deps,
          extensions: Object.keys(require.extensions).join() === extensions,
          globals: Object.keys(globalThis).sort().join() === globalsBefore,
          tsLoader: typeof require.extensions['.ts'],
        };
        ${print}
      })();`,
      { ZTC_CACHE_DIR: cache },
    );
    expect(out).toEqual({ name: 'ztc', nodes: [], deps: [], extensions: true, globals: true, tsLoader: 'undefined' });
  });

  it('never serves an edited source file stale, also when the edit keeps its size and mtime', () => {
    const cache = tempDir('ztc-bundle-cache-');
    const base = tempDir('ztc-bundle-engine-');
    symlinkSync(join(ENGINE, '..', '..', 'node_modules'), join(base, 'node_modules'), 'dir');
    const copy = join(base, 'ztc');
    for (const part of ['bin', 'src', 'schemas', 'capabilities', 'scripts', 'package.json']) cpSync(join(ENGINE, part), join(copy, part), { recursive: true });
    const body = `const stages = engine.engine('cli')('src/constants.ts').STAGES; const out = { bundle: engine.activeBundle(), stages }; ${print}`;
    const before = inChild(body, { ZTC_CACHE_DIR: cache }, copy);
    expect(before.stages).toEqual(['pre-work', 'bootstrap', 'post-work', 'validation']);
    const file = join(copy, 'src/constants.ts');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace("'pre-work', 'bootstrap'", "'pre-work', 'bootstrap'".toUpperCase()));
    utimesSync(file, atime, mtime);
    const after = inChild(body, { ZTC_CACHE_DIR: cache }, copy);
    expect(after.stages).toEqual(['PRE-WORK', 'BOOTSTRAP', 'post-work', 'validation']);
    expect(after.bundle).not.toBe(before.bundle);
  });

  it('runs from the sources with ZTC_BUNDLE=0, and from an unwritable cache all the same', () => {
    const fromSource = inChild(`const main = engine.engine('cli')('src/cli/main.ts'); const out = { bundle: engine.activeBundle() ?? null, main: typeof main.main, tsLoader: typeof require.extensions['.ts'] }; ${print}`, {
      ZTC_BUNDLE: '0',
      ZTC_CACHE_DIR: tempDir('ztc-bundle-cache-'),
    });
    expect(fromSource).toEqual({ bundle: null, main: 'function', tsLoader: 'function' });
    const file = join(tempDir('ztc-bundle-cache-'), 'not-a-folder');
    writeFileSync(file, '');
    const unwritable = inChild(`const main = engine.engine('cli')('src/cli/main.ts'); const out = { bundle: engine.activeBundle() ?? null, main: typeof main.main }; ${print}`, { ZTC_CACHE_DIR: file });
    expect(unwritable).toEqual({ bundle: expect.stringMatching(/^cli-/), main: 'function' });
  });

  it.each(['cli', 'plugin', 'executors'])('holds every engine module the %s can load, except the one file that imports ES modules', (kind) => {
    const cache = tempDir('ztc-bundle-cache-');
    const { bundle } = inChild(`engine.engine(${JSON.stringify(kind)}); const out = { bundle: engine.activeBundle() }; ${print}`, { ZTC_CACHE_DIR: cache });
    const defs = (0, eval)(readFileSync(join(cache, 'ztc-bundle', bundle as string), 'utf8'))() as Record<string, [(...a: unknown[]) => void, Record<string, string>]>;
    const unlinked: string[] = [];
    for (const [rel, [fn, links]] of Object.entries(defs)) {
      for (const [, spec] of fn.toString().matchAll(/\brequire\((?:"|')(\.[^"']+)(?:"|')\)/g)) {
        if (!(spec! in links) && !spec!.endsWith('/import-esm.js')) unlinked.push(`${rel}: ${spec}`);
      }
    }
    expect(unlinked).toEqual([]);
    const expected = { cli: ['src/index.ts', 'src/bootstrap/runner.ts'], plugin: ['src/nx/index.ts'], executors: ['src/index.ts', 'src/nx/executors/lint/lib/shellcheck.ts'] }[kind]!;
    expect(Object.keys(defs)).toEqual(expect.arrayContaining(expected));
  });
});
