/**
 * The Nx cache of the engine's `build` target (project.json, named input `engine-build`) must hash every
 * file the build reads (dist/build.json lists them), or `nx build` restores a dist/ older than its sources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = join(__dirname, '..');
const build = require('./build.js') as { ensureFresh(): { inputs: [string, number, number][] } };

/** Whether a project-relative file is one a pattern of the named input covers (`dir/**` + `/*` or the exact file). */
function covered(rel: string, patterns: string[]): boolean {
  const own = patterns.filter((p) => p.startsWith('{projectRoot}/')).map((p) => p.slice('{projectRoot}/'.length));
  const excluded = patterns.filter((p) => p.startsWith('!{projectRoot}/**/*.')).map((p) => p.slice('!{projectRoot}/**/*'.length));
  if (excluded.some((suffix) => rel.endsWith(suffix))) return false;
  return own.some((p) => (p.endsWith('/**/*') ? rel.startsWith(p.slice(0, -'**/*'.length)) : rel === p));
}

describe('the cache inputs of @ztc/engine', () => {
  it('hashes every source the build reads', () => {
    const project = JSON.parse(readFileSync(join(ENGINE, 'project.json'), 'utf8')) as { namedInputs: Record<string, string[]> };
    const read = build.ensureFresh().inputs.map(([rel]) => rel);
    expect(read).toContain('testing/index.ts');
    expect(read.filter((rel) => !covered(rel, project.namedInputs['engine-build'] ?? []))).toEqual([]);
  });

  it('test and typecheck hash the version of every dependency the engine has, and the build its bundler', () => {
    type Input = string | { externalDependencies?: string[] };
    const project = JSON.parse(readFileSync(join(ENGINE, 'project.json'), 'utf8')) as { targets: Record<string, { inputs: Input[] }> };
    const pkg = JSON.parse(readFileSync(join(ENGINE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const external = (target: string): string[] => (project.targets[target]?.inputs ?? []).flatMap((i) => (typeof i === 'string' ? [] : (i.externalDependencies ?? [])));
    for (const target of ['test', 'typecheck']) {
      expect({ target, missing: Object.keys(pkg.dependencies).filter((d) => !external(target).includes(d)) }).toEqual({ target, missing: [] });
    }
    expect(external('test')).toContain('esbuild');
  });
});
