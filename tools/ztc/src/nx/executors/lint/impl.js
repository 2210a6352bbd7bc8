'use strict';
// Loaded by Nx from executors.json: install ZTC's cached TypeScript loader, then hand over to executor.ts
// (exports `default`, the single-task executor, and `batch`, the batch implementation).
require('../../../../bin/register.js');
module.exports = require('./executor.ts');
