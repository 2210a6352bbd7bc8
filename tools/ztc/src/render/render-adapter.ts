/**
 * Running one adapter's render module: load it, call it with exactly the capabilities it requires,
 * and check what it returns (file map, declared capabilities, contract payloads). Pure apart from
 * loading the module and its templates.
 */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { insidePathProblem } from '../adapter/adapter-paths';
import type { AdapterManifest } from '../adapter/types';
import { checkPayload } from '../capability/contracts';
import { ConfigError } from '../errors';
import { interpolate, TemplateError } from '../sdk/template';
import { guardedCall, GuardedCallError, RENDER_TIMEOUT_ENV } from './guarded-call';
import { moduleBoundaryViolations } from './module-boundary';
import { loadedPackages, recall, remember, renderMemoKey } from './render-memo';
import { syntaxIssues } from './output-syntax';
import type { FileDigests } from '../util/file-digests';
import { jsonProblem } from '../util/json-safety';
import { installTsRequire } from '../util/ts-require';
import type { ChangeCheck, PlatformMetadata, RenderFn, RenderResult } from '../sdk/types';

export interface AdapterOutput {
  adapter: string;
  files: Record<string, string>;
  capabilities: Record<string, unknown>;
  scriptContext: Record<string, Record<string, unknown>>;
}

/** A workspace adapter's render module is TypeScript; make sure Node can load it (idempotent). */
function ensureTsLoader(): void {
  installTsRequire();
}

/**
 * Drop the adapter's own modules from Node's module cache, so a long-lived process (tests, a batch
 * executor) always renders the adapter's current source. Re-loading costs a transpile per file (@swc/core).
 */
function forgetModulesUnder(dir: string): void {
  const prefix = `${dir}${sep}`;
  for (const key of Object.keys(require.cache)) if (key.startsWith(prefix)) delete require.cache[key];
}

type RenderModule = { render?: unknown; default?: unknown; checkChange?: unknown };

function loadRenderFn(workspaceRoot: string, adapter: AdapterManifest): RenderFn {
  const file = `${adapter.root}/${adapter.render}`;
  const mod = loadRenderModule(workspaceRoot, adapter);
  const fn = mod.render ?? mod.default;
  if (typeof fn !== 'function') {
    throw ConfigError.one({
      file,
      path: 'render',
      message: 'the module does not export a render function',
      hint: 'export const render = defineRender((config, platform, capabilities) => ({ files: {} }))',
    });
  }
  return fn as RenderFn;
}

/**
 * The render module's `checkChange` export (render-time change check, change-check.ts), or undefined
 * when it has none. Loads the module afresh, like a render.
 */
export function loadChangeCheck(workspaceRoot: string, adapter: AdapterManifest): ChangeCheck | undefined {
  if (!adapter.render) return undefined;
  const check = loadRenderModule(workspaceRoot, adapter).checkChange;
  if (check === undefined) return undefined;
  if (typeof check !== 'function') {
    throw ConfigError.one({
      file: `${adapter.root}/${adapter.render}`,
      path: 'checkChange',
      message: `checkChange must be a function, got ${typeof check}`,
      hint: 'export const checkChange = defineChangeCheck((previous, next) => [])',
    });
  }
  return check as ChangeCheck;
}

function loadRenderModule(workspaceRoot: string, adapter: AdapterManifest): RenderModule {
  const file = `${adapter.root}/${adapter.render}`;
  let mod: RenderModule;
  try {
    ensureTsLoader();
    forgetModulesUnder(join(workspaceRoot, adapter.root));
    mod = guardedCall(() => require(join(workspaceRoot, file)) as typeof mod, 'loading');
  } catch (e) {
    if (e instanceof GuardedCallError) throw guardIssue(file, e);
    throw new ConfigError([{ file, path: '', message: `cannot load render module: ${(e as Error).message}` }], { cause: e });
  }
  return mod;
}

export function guardIssue(file: string, e: GuardedCallError): ConfigError {
  const hint =
    e.reason === 'timeout'
      ? `a render module must return promptly (look for an endless loop); ${RENDER_TIMEOUT_ENV} raises the limit`
      : 'a render module returns its result (or throws an Error); it never ends the process';
  return new ConfigError([{ file, path: 'render', message: e.message, hint }], { cause: e });
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface RenderOptions {
  /**
   * Use what this adapter's render module returned last time for exactly these inputs (render-memo.ts),
   * and remember what it returns. `ztc render` does; validate, which must see a fresh render, does not.
   * @default false
   */
  memo?: boolean;
  /** Digests of workspace files, shared by one render's steps. @default a new FileDigests */
  digests?: FileDigests;
  /** Collects the package.json of every npm package a render module loaded (absolute paths), for the render stamp. */
  packages?: Set<string>;
}

/**
 * Render one adapter. `available` holds the payloads produced so far; the module sees only those it
 * requires (deep-frozen copies), each checked against its contract on the way in.
 */
export function renderAdapter(
  workspaceRoot: string,
  adapter: AdapterManifest,
  config: Record<string, unknown>,
  platform: PlatformMetadata,
  available: ReadonlyMap<string, unknown>,
  options: RenderOptions = {},
): AdapterOutput {
  const consumed: Record<string, unknown> = {};
  for (const r of adapter.requires) {
    const payload = structuredClone(available.get(r.capability));
    checkPayload(workspaceRoot, r.capability, payload, adapter.file, `consumed by "${adapter.name}": the`);
    consumed[r.capability] = payload;
  }
  if (!adapter.render) {
    return finish(workspaceRoot, adapter, { files: {}, capabilities: {} });
  }
  const memoKey = options.memo ? renderMemoKey(workspaceRoot, adapter, { config, platform, consumed }, options.digests) : undefined;
  const remembered = memoKey === undefined ? undefined : recall(workspaceRoot, memoKey, options.packages);
  if (remembered) return finish(workspaceRoot, adapter, remembered);
  const result = runRenderModule(workspaceRoot, adapter, config, platform, consumed);
  if (memoKey !== undefined || options.packages) {
    const packages = loadedPackages(join(workspaceRoot, adapter.root, adapter.render));
    for (const p of packages) options.packages?.add(p);
    if (memoKey !== undefined) remember(workspaceRoot, memoKey, result, packages);
  }
  return finish(workspaceRoot, adapter, result);
}

/** Load the adapter's render module and call it (guarded), then check what it loaded; its raw result. */
function runRenderModule(
  workspaceRoot: string,
  adapter: AdapterManifest,
  config: Record<string, unknown>,
  platform: PlatformMetadata,
  consumed: Record<string, unknown>,
): RenderResult {
  const fn = loadRenderFn(workspaceRoot, adapter);
  const file = `${adapter.root}/${adapter.render}`;
  const helpers = {
    template(name: string, vars: Record<string, unknown>): string {
      const path = `${adapter.root}/templates/${name}`;
      const problem = insidePathProblem(workspaceRoot, adapter.root, `templates/${name}`);
      if (problem) throw new TemplateError(`template ${problem}`);
      let text: string;
      try {
        text = readFileSync(join(workspaceRoot, path), 'utf8');
      } catch {
        throw new TemplateError(`template "${path}" not found`);
      }
      try {
        return interpolate(text, vars);
      } catch (e) {
        throw new TemplateError(`${path}: ${(e as Error).message}`);
      }
    },
  };
  let result: RenderResult;
  try {
    result = guardedCall(() => fn(deepFreeze(structuredClone(config)), deepFreeze({ ...platform }), deepFreeze(consumed), helpers), 'render');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (e instanceof GuardedCallError) throw guardIssue(file, e);
    throw new ConfigError([{ file, path: 'render', message: `render failed: ${(e as Error).message}` }], { cause: e });
  }
  const outside = moduleBoundaryViolations(workspaceRoot, join(workspaceRoot, adapter.root), join(workspaceRoot, file));
  if (outside.length > 0) {
    throw new ConfigError(
      outside.map((v) => ({
        file,
        path: 'render',
        message: `imports ${v.file}, which is outside ${adapter.root}/ (from ${v.importer})`,
        hint: `move the code into ${adapter.root}/, or import it from @ztc/engine or an npm package: Nx and lock.json hash only the adapter folder and the engine, so changes elsewhere would not re-render`,
      })),
    );
  }
  if (!result || typeof result !== 'object' || typeof result.files !== 'object' || result.files === null) {
    throw ConfigError.one({ file, path: 'render', message: 'render must return { files, capabilities }' });
  }
  return result;
}

function finish(workspaceRoot: string, adapter: AdapterManifest, result: RenderResult): AdapterOutput {
  const file = adapter.render ? `${adapter.root}/${adapter.render}` : adapter.file;
  for (const [path, content] of Object.entries(result.files)) {
    if (typeof content !== 'string') {
      throw ConfigError.one({ file, path: `files[${JSON.stringify(path)}]`, message: `content must be a string, got ${typeof content}` });
    }
  }
  const unparsable = syntaxIssues(adapter.name, file, result.files);
  if (unparsable.length > 0) throw new ConfigError(unparsable);
  const produced = result.capabilities ?? {};
  const problem = jsonProblem({ capabilities: produced, scriptContext: result.scriptContext ?? {} });
  if (problem) {
    // Render results cross Nx task boundaries as JSON: a value JSON cannot carry would make
    // `nx run <p>:render` differ from `ztc render`, so both refuse it.
    throw ConfigError.one({ file, path: '', message: problem, hint: 'return plain JSON data (strings, finite numbers, booleans, null, lists, mappings)' });
  }
  const declared = adapter.provides.map((p) => p.capability);
  for (const name of Object.keys(produced)) {
    if (!declared.includes(name)) {
      throw ConfigError.one({
        file,
        path: `capabilities.${name}`,
        message: `produces capability "${name}" which ${adapter.file} does not declare in provides`,
        hint: `add it to provides or stop producing it`,
      });
    }
  }
  for (const name of declared) {
    if (!(name in produced)) {
      throw ConfigError.one({
        file,
        path: `capabilities.${name}`,
        message: `declares capability "${name}" in provides but render did not produce it`,
        hint: 'return it from render (use {} for a capability without data)',
      });
    }
    checkPayload(workspaceRoot, name, produced[name], file, `produced by "${adapter.name}": the`);
  }
  return {
    adapter: adapter.name,
    files: { ...result.files },
    capabilities: structuredClone(produced),
    scriptContext: structuredClone(result.scriptContext ?? {}),
  };
}
