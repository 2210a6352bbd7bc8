/**
 * An ES module package, imported (for execa, which is ESM only) from CommonJS engine code. The build
 * (build/build.js) keeps `import()` as Node's own, which resolves from the engine package.
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
