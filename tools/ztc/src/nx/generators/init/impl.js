'use strict';
// Loaded by Nx from generators.json: the generators' build (dist/generators.js).
module.exports = require('../../../../lib/load.js').load('generators').init;
