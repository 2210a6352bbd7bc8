/**
 * Input lists of the inferred targets (pure): which files and packages each cached task hashes.
 *
 * An adapter's files are named inputs of the adapter project (ADAPTER_NAMED_INPUTS), and platform tasks
 * refer to them as `{ input, projects }`. Nx then filters each adapter's own small file list, and the
 * engine globs, identical for every task, are hashed once. A mix of per-adapter and engine
 * `{workspaceRoot}` globs would make one distinct fileset per task, matched against every workspace file
 * (measured: ~5 ms per task at 300 adapters).
 */
import type { TargetConfiguration } from '@nx/devkit';
import { ADAPTER_TEST_PATTERNS } from '../constants';

export type Input = NonNullable<TargetConfiguration['inputs']>[number];

const TESTS = ADAPTER_TEST_PATTERNS.map((p) => `!{projectRoot}/${p}`);

/** Named inputs every adapter project declares. */
export const ADAPTER_NAMED_INPUTS = {
  /** What render-<adapter> reads: everything but scripts (they never change what renders) and tests. */
  'ztc-render-source': ['{projectRoot}/**/*', '!{projectRoot}/scripts/**/*', ...TESTS],
  /** The adapter as lock.json and the pipeline see it: everything but tests. */
  'ztc-source': ['{projectRoot}/**/*', ...TESTS],
  /** adapter.yaml alone (split-config validates sections against it). */
  'ztc-manifest': ['{projectRoot}/adapter.yaml'],
};

export type AdapterNamedInput = keyof typeof ADAPTER_NAMED_INPUTS;

/**
 * A named input of the given adapters: of their projects, and for adapters installed as npm packages
 * (no project; `packages`: adapter → package name) the package's version, as for the engine.
 */
export function adapterInput(input: AdapterNamedInput, adapters: string[], packages: ReadonlyMap<string, string> = new Map()): Input[] {
  const local = adapters.filter((a) => !packages.has(a));
  const installed = adapters.flatMap((a) => (packages.has(a) ? [packages.get(a)!] : []));
  return [...(local.length > 0 ? [{ input, projects: local }] : []), ...(installed.length > 0 ? [{ externalDependencies: installed }] : [])];
}
