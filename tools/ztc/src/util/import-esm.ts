/**
 * An ES module package, imported (for execa, which is ESM only). Through bin/import-esm.js, so that the
 * module calling it can run from the engine's bundle (bin/engine.js), where `import()` is not available.
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return (require('../../bin/import-esm.js') as (s: string) => Promise<T>)(specifier);
}
