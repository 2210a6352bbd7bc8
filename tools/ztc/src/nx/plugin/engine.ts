/**
 * The engine as a workspace sees it. In this repository the engine is a workspace package (tools/ztc):
 * its files are task inputs and `nx affected` follows changes to them. Installed from npm (an existing
 * monorepo after `nx add @ztc/engine`), it lives under node_modules, which Nx never hashes: there the
 * installed version of the package is the input instead.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { ENGINE_ROOT, PACKAGE_NAME } from '../../constants';
import { ENGINE_FILES, TEST_SUPPORT_FILES } from '../constants';
import type { NormalizedOptions } from '../options';
import type { Input } from './inputs';

export interface EngineLocation {
  /** The engine package's folder, workspace-relative with `/` (absolute when outside the workspace). */
  dir: string;
  /** Its sources are workspace files (not under node_modules): hash them; else hash its version. */
  inWorkspace: boolean;
}

export function engineLocation(workspaceRoot: string): EngineLocation {
  let engine = ENGINE_ROOT;
  let root = workspaceRoot;
  try {
    engine = realpathSync(ENGINE_ROOT);
    root = realpathSync(workspaceRoot);
  } catch {
    /* keep the paths as given */
  }
  const rel = relative(root, engine);
  const outside = rel.startsWith('..') || isAbsolute(rel);
  const dir = outside ? engine.split(sep).join('/') : rel.split(sep).join('/');
  return { dir, inWorkspace: !outside && !rel.split(sep).includes('node_modules') };
}

/** `node <engine>/bin/ztc.js`: the CLI the validate and stage targets run, so Nx and the CLI cannot differ. */
export function ztcCommand(engine: EngineLocation): string {
  const bin = `${engine.dir}/bin/ztc.js`;
  return `node ${/\s/.test(bin) ? JSON.stringify(bin) : bin}`;
}

/** Engine inputs of every cached ZTC task, plus the npm packages that matter. */
export function engineInputs(engine: EngineLocation, opts: NormalizedOptions, extraPackages: string[] = []): Input[] {
  // The workspace's capability contracts, unless they are the engine's own folder (this repository).
  const inEngine = engine.inWorkspace && `${opts.capabilitiesRoot}/`.startsWith(`${engine.dir}/`);
  const contracts = inEngine ? [] : [`{workspaceRoot}/${opts.capabilitiesRoot}/*.json`];
  if (!engine.inWorkspace) {
    return [...contracts, { externalDependencies: [...new Set([PACKAGE_NAME, ...opts.externalDependencies, ...extraPackages])] }];
  }
  const files = ENGINE_FILES.map((f) => (f.startsWith('!') ? `!{workspaceRoot}/${engine.dir}/${f.slice(1)}` : `{workspaceRoot}/${engine.dir}/${f}`));
  return [...files, ...contracts, { externalDependencies: [...opts.externalDependencies, ...extraPackages] }];
}

/** What an adapter's specs may read besides the adapter: the engine's test helpers (here) and the vitest setup. */
export function testSupportInputs(engine: EngineLocation, opts: NormalizedOptions): Input[] {
  return [
    ...(engine.inWorkspace ? TEST_SUPPORT_FILES.engine.map((f) => `{workspaceRoot}/${engine.dir}/${f}`) : []),
    ...TEST_SUPPORT_FILES.workspace.map((f) => `{workspaceRoot}/${f}`),
    ...TEST_SUPPORT_FILES.adaptersRoot.map((f) => `{workspaceRoot}/${opts.adaptersRoot}/${f}`),
  ];
}
