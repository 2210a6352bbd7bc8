'use strict';
// Loaded by Nx from executors.json: the executors' build (dist/executors.js); this one exports
// `default`, the single-task executor, and `batch`, the batch implementation.
module.exports = require('../../../../lib/load.js').load('executors').render;
