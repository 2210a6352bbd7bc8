'use strict';
// Loaded by Nx from executors.json: the engine from its bundle (bin/engine.js), then executor.ts
// (exports `default`, the single-task executor, and `batch`, the batch implementation).
module.exports = require('../../../../bin/engine.js').engine('executors')('src/nx/executors/render/executor.ts');
