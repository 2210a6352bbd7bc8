import { describe, expect, it } from 'vitest';
import type { AdapterManifest } from '../../adapter/types';
import { normalizeOptions } from '../options';
import { createAdapterTargets } from './adapter-targets';
import type { EngineLocation } from './engine';
import { ADAPTER_NAMED_INPUTS } from './inputs';

const manifest = { name: 'cilium', root: 'adapters/cilium' } as AdapterManifest;
const opts = normalizeOptions({});
const engine: EngineLocation = { dir: 'tools/ztc', inWorkspace: true };

describe('createAdapterTargets', () => {
  it('always lints, hashing the adapter with its scripts, the engine and the shellcheck version', () => {
    const { lint } = createAdapterTargets({ manifest, hasScripts: true, hasSpecs: false }, opts, engine);
    expect(lint).toMatchObject({ executor: '@ztc/engine:lint', options: { adapter: 'cilium' }, cache: true });
    expect(lint!.inputs).toEqual(
      expect.arrayContaining(['ztc-source', '{workspaceRoot}/tools/ztc/schemas/**/*', { runtime: 'shellcheck --version 2>/dev/null || echo no-shellcheck' }]),
    );
  });

  it('adds a test target only when the adapter has specs', () => {
    expect(createAdapterTargets({ manifest, hasScripts: false, hasSpecs: false }, opts, engine).test).toBeUndefined();
    const { test } = createAdapterTargets({ manifest, hasScripts: false, hasSpecs: true }, opts, engine);
    expect(test).toMatchObject({ cache: true, options: { command: 'node_modules/.bin/vitest run adapters/cilium/' } });
    expect(test!.inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/**/*',
        '{workspaceRoot}/vitest.config.mts',
        '{workspaceRoot}/tsconfig*.json',
        '{workspaceRoot}/adapters/tsconfig*.json',
        '{workspaceRoot}/tools/ztc/testing/**/*',
      ]),
    );
  });

  it('takes its target names from the options: renamed, then prefixed', () => {
    const renamed = normalizeOptions({ targetPrefix: 'ztc-', lintTargetName: 'check' });
    expect(Object.keys(createAdapterTargets({ manifest, hasScripts: true, hasSpecs: true }, renamed, engine))).toEqual(['ztc-check', 'ztc-test']);
  });

  it('hashes the installed engine package by version when the engine is not workspace code', () => {
    const installed: EngineLocation = { dir: 'node_modules/@ztc/engine', inWorkspace: false };
    const { lint } = createAdapterTargets({ manifest, hasScripts: true, hasSpecs: false }, normalizeOptions({ capabilitiesRoot: 'infra/contracts' }), installed);
    expect(lint!.inputs).toEqual([
      'ztc-source',
      '{workspaceRoot}/infra/contracts/*.json',
      { externalDependencies: ['@ztc/engine', 'ajv', 'ajv-formats', 'semver', 'yaml'] },
      { runtime: 'shellcheck --version 2>/dev/null || echo no-shellcheck' },
    ]);
  });
});

describe('normalizeOptions', () => {
  it("defaults the packages that matter to the engine's own dependencies, sorted", () => {
    expect(normalizeOptions(undefined).externalDependencies).toEqual(['ajv', 'ajv-formats', 'semver', 'yaml']);
    expect(normalizeOptions({ externalDependencies: ['zod', 'yaml'] }).externalDependencies).toEqual(['yaml', 'zod']);
  });

  it("defaults to this repository's layout and target names", () => {
    const o = normalizeOptions({});
    expect(o).toMatchObject({ adaptersRoot: 'adapters', platformsRoot: 'platforms', capabilitiesRoot: 'tools/ztc/capabilities', targetPrefix: '' });
    const t = o.targets;
    expect([t.lint, t.test, t.splitConfig, t.render, t.renderAdapter('a'), t.validate, t.stage('bootstrap'), t.bootstrap]).toEqual([
      'lint',
      'test',
      'split-config',
      'render',
      'render-a',
      'validate',
      'stage-bootstrap',
      'bootstrap',
    ]);
  });

  it('canonicalizes roots and prefixes every target name', () => {
    const o = normalizeOptions({ adaptersRoot: './infra/ztc/adapters/', platformsRoot: 'infra/ztc/platforms', targetPrefix: 'ztc-', renderTargetName: 'synth' });
    expect(o.adaptersRoot).toBe('infra/ztc/adapters');
    const t = o.targets;
    expect([t.lint, t.splitConfig, t.render, t.renderAdapter('a'), t.stage('post-work'), t.bootstrap]).toEqual([
      'ztc-lint',
      'ztc-split-config',
      'ztc-synth',
      'ztc-synth-a',
      'ztc-stage-post-work',
      'ztc-bootstrap',
    ]);
  });

  it.each([
    [{ adaptersRoot: '../elsewhere' }, /adaptersRoot: must be a folder inside the workspace/],
    [{ platformsRoot: '/abs' }, /platformsRoot: must be a folder inside the workspace/],
    [{ adaptersRoot: 'ztc', platformsRoot: 'ztc/platforms' }, /overlap/],
    [{ testTargetName: 'has space' }, /testTargetName: "has space" is not a valid target name/],
  ])('refuses %j', (options, message) => {
    expect(() => normalizeOptions(options)).toThrow(message);
  });
});

describe('ADAPTER_NAMED_INPUTS', () => {
  it('leaves scripts out of what render reads, and tests out of everything', () => {
    expect(ADAPTER_NAMED_INPUTS['ztc-render-source']).toEqual(
      expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/scripts/**/*', '!{projectRoot}/**/*.spec.{ts,mts,cts,js,mjs,cjs}']),
    );
    expect(ADAPTER_NAMED_INPUTS['ztc-source']).not.toContain('!{projectRoot}/scripts/**/*');
  });
});
