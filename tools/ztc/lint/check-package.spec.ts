import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkPackage, checkPackedFiles, importedPackages, type PackageJson } from './check-package';

const ENGINE = join(__dirname, '..');

describe('engine package lint', () => {
  it('finds nothing wrong with the package as it is', () => {
    expect(checkPackage(ENGINE)).toEqual([]);
  });

  it('reads runtime imports, not type-only ones, builtins or relative paths', () => {
    const src =
      "import type { Tree } from '@nx/devkit';\nimport { x } from 'yaml';\nconst e = require('execa/sub');\nimport { join } from 'node:path';\nimport fs from 'fs';\nimport { y } from './y';\nconst m = await import('@scope/pkg/deep');\n";
    expect(importedPackages(src).sort()).toEqual(['@scope/pkg', 'execa', 'yaml']);
  });

  it('reports an undeclared dependency, a missing export target and a broken executor entry', () => {
    const copy = mkdtempSync(join(tmpdir(), 'ztc-pkg-'));
    onTestFinished(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(ENGINE, copy, { recursive: true, filter: (s) => !s.includes('node_modules') });
    writeFileSync(join(copy, 'src/extra.ts'), "import { z } from 'zod';\nexport const schema = z;\n");
    const pkg = JSON.parse(JSON.stringify(require(join(ENGINE, 'package.json')))) as Record<string, unknown>;
    pkg.exports = { ...(pkg.exports as object), './gone': './gone.js' };
    writeFileSync(join(copy, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(copy, 'executors.json'), JSON.stringify({ executors: { render: { implementation: './nope.js', schema: './src/nx/executors/render/schema.json' } } }));
    expect(checkPackage(copy)).toEqual([
      'package.json: exports["./gone"] "./gone.js" does not exist',
      'executors.json: render: implementation "./nope.js" does not exist',
      'src/extra.ts: imports "zod", which package.json does not declare (dependencies or peerDependencies)',
    ]);
  });

  it('refuses a package that ships TypeScript source or leaves out an entry point package.json names', () => {
    const pkg: PackageJson = {
      name: '@ztc/engine',
      version: '1.0.0',
      exports: { '.': { types: './dist/types/src/index.d.ts', default: './dist/index.js' } },
      bin: { ztc: './bin/ztc.js' },
    };
    expect(checkPackedFiles(pkg, ['package.json', 'dist/index.js', 'dist/types/src/index.d.ts', 'bin/ztc.js'])).toEqual([]);
    expect(checkPackedFiles(pkg, ['package.json', 'dist/index.js', 'dist/types/src/index.d.ts', 'src/index.ts'])).toEqual([
      'npm pack: ships TypeScript source src/index.ts (only .d.ts belongs in the package)',
      'npm pack: bin/ztc.js (named in package.json) is not in the package (files)',
    ]);
  });
});
