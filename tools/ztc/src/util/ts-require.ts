/**
 * Node's `.ts` loader for a workspace adapter's render module (render.ts and what it imports from its
 * own folder): type stripping and ES module syntax to CommonJS with @swc/core, file by file, when Node
 * loads the file. What swc made is kept by content (`<cache>/ztc-ts`, util/content-cache.ts: keyed by
 * the swc version, the file's path and its exact source), so a warm run does not load swc at all
 * (loading its native binding is ~20–35 ms of a `ztc validate`). An installed adapter package ships
 * JavaScript and never needs this; the engine itself is built ahead of time (dist/). Idempotent; a
 * `.ts` loader installed by someone else is left alone.
 */
import { readFileSync } from 'node:fs';
import { ContentCache } from './content-cache';

interface LoadableModule {
  _compile(code: string, filename: string): void;
}

let swc: typeof import('@swc/core') | undefined;
let cache: ContentCache | undefined;

/** CommonJS code for a TypeScript source (inline source map, for --enable-source-maps). */
export function transpileTs(source: string, filename: string): string {
  cache ??= new ContentCache('ts', `swc-${(require('@swc/core/package.json') as { version: string }).version}-cjs-1`);
  const input = `${filename}\0${source}`;
  const cached = cache.get(input);
  if (cached !== undefined) return cached;
  swc ??= require('@swc/core') as typeof import('@swc/core');
  const { code } = swc.transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: true },
  });
  cache.set(input, code);
  return code;
}

export function installTsRequire(): void {
  const extensions = require.extensions as unknown as Record<string, (module: LoadableModule, filename: string) => void>;
  if (extensions['.ts']) return;
  extensions['.ts'] = (module, filename) => module._compile(transpileTs(readFileSync(filename, 'utf8'), filename), filename);
}
