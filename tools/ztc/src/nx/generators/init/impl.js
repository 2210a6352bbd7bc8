'use strict';
// Loaded by Nx from generators.json: install ZTC's cached TypeScript loader, then hand over to generator.ts.
require('../../../../bin/register.js');
module.exports = require('./generator.ts');
