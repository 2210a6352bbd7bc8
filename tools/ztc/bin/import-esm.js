'use strict';
/**
 * `import()` of an npm package (ESM-only ones, such as execa) for engine code. Engine modules run from
 * the engine's bundle (engine.js), a script that has no module context to import from; this file is
 * always loaded by Node, so its `import()` resolves from the engine package like the module's own would.
 */
module.exports = (specifier) => import(specifier);
