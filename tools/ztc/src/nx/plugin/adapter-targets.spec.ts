import { describe, expect, it } from 'vitest';
import type { AdapterManifest } from '../../adapter/types';
import { normalizeOptions } from '../options';
import { createAdapterTargets } from './adapter-targets';
import { ADAPTER_NAMED_INPUTS } from './inputs';

const manifest = { name: 'cilium', root: 'adapters/cilium' } as AdapterManifest;
const opts = normalizeOptions({});

describe('createAdapterTargets', () => {
  it('always lints, hashing the adapter with its scripts, the engine and the shellcheck version', () => {
    const { lint } = createAdapterTargets({ manifest, hasScripts: true, hasSpecs: false }, opts);
    expect(lint).toMatchObject({ executor: './tools/ztc:lint', options: { adapter: 'cilium' }, cache: true });
    expect(lint!.inputs).toEqual(expect.arrayContaining([
      'ztc-source',
      '{workspaceRoot}/tools/ztc/schemas/**/*',
      { runtime: 'shellcheck --version 2>/dev/null || echo no-shellcheck' },
    ]));
  });

  it('adds a test target only when the adapter has specs', () => {
    expect(createAdapterTargets({ manifest, hasScripts: false, hasSpecs: false }, opts).test).toBeUndefined();
    const { test } = createAdapterTargets({ manifest, hasScripts: false, hasSpecs: true }, opts);
    expect(test).toMatchObject({ cache: true, options: { command: 'npx vitest run adapters/cilium/' } });
    expect(test!.inputs).toEqual(expect.arrayContaining(['{projectRoot}/**/*', '{workspaceRoot}/vitest.config.mts']));
  });
});

describe('normalizeOptions', () => {
  it('defaults the packages that matter to the engine\'s own dependencies, sorted', () => {
    expect(normalizeOptions(undefined).externalDependencies).toEqual(['ajv', 'ajv-formats', 'semver', 'yaml']);
    expect(normalizeOptions({ externalDependencies: ['zod', 'yaml'] }).externalDependencies).toEqual(['yaml', 'zod']);
  });
});

describe('ADAPTER_NAMED_INPUTS', () => {
  it('leaves scripts out of what render reads, and tests out of everything', () => {
    expect(ADAPTER_NAMED_INPUTS['ztc-render-source']).toEqual(expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/scripts/**/*', '!{projectRoot}/**/*.spec.{ts,mts,cts,js,mjs,cjs}']));
    expect(ADAPTER_NAMED_INPUTS['ztc-source']).not.toContain('!{projectRoot}/scripts/**/*');
  });
});
