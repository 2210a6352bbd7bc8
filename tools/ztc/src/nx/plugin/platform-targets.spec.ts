import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../options';
import type { EngineLocation } from './engine';
import { createPlatformTargets, platformTargetGroups } from './platform-targets';
import type { PlatformInfo } from './read-project-files';

const platform: PlatformInfo = {
  name: 'demo',
  root: 'platforms/demo',
  file: 'platforms/demo/platform.yaml',
  order: ['net', 'storage', 'app'],
  dependsOn: new Map([
    ['net', []],
    ['storage', []],
    ['app', ['net', 'storage']],
  ]),
  providers: new Map([
    ['network', 'net'],
    ['volumes', 'storage'],
  ]),
};
const engine: EngineLocation = { dir: 'tools/ztc', inWorkspace: true };
const targets = createPlatformTargets(platform, normalizeOptions({}), engine);

describe('createPlatformTargets', () => {
  it('has one render task per adapter, wired by the resolved capability graph', () => {
    expect(targets['render-app']!.dependsOn).toEqual(['split-config', 'render-net', 'render-storage']);
    expect(targets['render-net']!.dependsOn).toEqual(['split-config']);
    expect(targets.render!.dependsOn).toEqual(['render-net', 'render-storage', 'render-app']);
    expect(targets['render-app']!.options).toEqual({ platform: 'demo', step: 'adapter', adapter: 'app' });
  });

  it("hashes an adapter task on its own files without scripts and tests, its slice and its providers' payloads", () => {
    const inputs = targets['render-app']!.inputs!;
    expect(inputs).toEqual(
      expect.arrayContaining([
        { input: 'ztc-render-source', projects: ['app'] },
        { dependentTasksOutputFiles: '**/.ztc/render/{config/app.json,*.capabilities.json}', transitive: false },
        '{workspaceRoot}/tools/ztc/src/**/*',
        { externalDependencies: ['ajv', 'ajv-formats', 'semver', 'yaml'] },
      ]),
    );
    expect(JSON.stringify(inputs)).not.toContain('"net"');
    expect(inputs).not.toContain('{projectRoot}/platform.yaml');
    expect(targets['render-app']!.outputs).toEqual([
      '{workspaceRoot}/platforms/demo/.ztc/render/app.json',
      '{workspaceRoot}/platforms/demo/.ztc/render/app.capabilities.json',
      '{workspaceRoot}/platforms/demo/.ztc/render/app.stamp',
    ]);
  });

  it('assembles from platform.yaml, every adapter including its scripts, and the adapter outputs', () => {
    const inputs = targets.render!.inputs!;
    expect(inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/platform.yaml',
        // the previous render, which the render-time change check compares with
        '{projectRoot}/pipeline.yaml',
        { input: 'ztc-source', projects: ['net', 'storage', 'app'] },
        { dependentTasksOutputFiles: '**/.ztc/render/*.json', transitive: false },
      ]),
    );
    expect(targets.render!.outputs).toEqual(['{projectRoot}/generated', '{projectRoot}/pipeline.yaml', '{projectRoot}/lock.json']);
  });

  it('splits platform.yaml from the file itself and the adapter.yaml of the adapters it uses', () => {
    expect(targets['split-config']!.inputs).toEqual(expect.arrayContaining(['{projectRoot}/platform.yaml', { input: 'ztc-manifest', projects: ['net', 'storage', 'app'] }]));
    expect(targets['split-config']!.outputs).toEqual(['{workspaceRoot}/platforms/demo/.ztc/render/config']);
  });

  it('never caches validate or the validation stage, and chains the stages after render', () => {
    expect(targets.validate).toMatchObject({ cache: false, options: { command: 'node tools/ztc/bin/ztc.js validate demo' } });
    expect(targets['stage-pre-work']).toMatchObject({ cache: true, dependsOn: ['render'] });
    expect(targets['stage-bootstrap']!.dependsOn).toEqual(['render', 'stage-pre-work']);
    expect(targets['stage-post-work']!.dependsOn).toEqual(['render', 'stage-bootstrap']);
    expect(targets['stage-validation']).toMatchObject({ cache: false, dependsOn: ['stage-post-work'] });
    expect(targets['stage-validation']!.outputs).toBeUndefined();
    expect(targets.bootstrap).toMatchObject({ executor: 'nx:noop', dependsOn: ['stage-validation'] });
    expect(targets['stage-bootstrap']!.options.command).toBe('node tools/ztc/bin/ztc.js bootstrap demo --stage bootstrap');
    expect(targets['stage-bootstrap']!.outputs).toEqual(['{projectRoot}/.ztc/receipts/bootstrap', '{projectRoot}/.ztc/state']);
  });

  it('hashes what render and earlier stages wrote as dependency outputs, not as files read when nx started', () => {
    const inputs = targets['stage-bootstrap']!.inputs!;
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*', transitive: false });
    expect(inputs.filter((i) => typeof i === 'string' && /pipeline\.yaml|lock\.json|generated/.test(i))).toEqual([]);
  });

  it('never hashes environment variables into stage tasks (secrets stay out of cache keys)', () => {
    for (const stage of ['pre-work', 'bootstrap', 'post-work']) {
      expect(targets[`stage-${stage}`]!.inputs!.some((i) => typeof i === 'object' && 'env' in i)).toBe(false);
    }
  });

  it("hashes each cached stage's secrets through ztc's keyed digests (a runtime input), so a rotation is a cache miss", () => {
    for (const stage of ['pre-work', 'bootstrap', 'post-work']) {
      expect(targets[`stage-${stage}`]!.inputs).toContainEqual({ runtime: `node tools/ztc/bin/ztc.js plan demo --stage ${stage} --secret-digests` });
    }
    expect(targets['stage-validation']!.inputs).toBeUndefined();
  });

  it('groups the targets for nx show project', () => {
    expect(platformTargetGroups(platform, normalizeOptions({})).render).toEqual(['split-config', 'render-net', 'render-storage', 'render-app', 'render', 'validate']);
  });

  it("renames and prefixes every target and its dependsOn, and writes under the platform's own folder", () => {
    const custom = { ...platform, root: 'infra/platforms/demo' };
    const t = createPlatformTargets(custom, normalizeOptions({ targetPrefix: 'ztc-', platformsRoot: 'infra/platforms' }), engine);
    expect(Object.keys(t)).toEqual([
      'ztc-split-config',
      'ztc-render-net',
      'ztc-render-storage',
      'ztc-render-app',
      'ztc-render',
      'ztc-validate',
      'ztc-stage-pre-work',
      'ztc-stage-bootstrap',
      'ztc-stage-post-work',
      'ztc-stage-validation',
      'ztc-bootstrap',
    ]);
    expect(t['ztc-render-app']!.dependsOn).toEqual(['ztc-split-config', 'ztc-render-net', 'ztc-render-storage']);
    expect(t['ztc-stage-bootstrap']!.dependsOn).toEqual(['ztc-render', 'ztc-stage-pre-work']);
    expect(t['ztc-bootstrap']!.dependsOn).toEqual(['ztc-stage-validation']);
    expect(t['ztc-split-config']!.outputs).toEqual(['{workspaceRoot}/infra/platforms/demo/.ztc/render/config']);
    expect(t['ztc-stage-bootstrap']!.options).toMatchObject({ env: { ZTC_RESUME_COMMAND: 'npx nx run demo:ztc-bootstrap' } });
  });

  it('runs the installed CLI where the engine comes from npm', () => {
    const t = createPlatformTargets(platform, normalizeOptions({}), { dir: 'node_modules/@ztc/engine', inWorkspace: false });
    expect(t.validate!.options).toEqual({ command: 'node node_modules/@ztc/engine/bin/ztc.js validate demo' });
    expect(t.render!.inputs).toContainEqual({ externalDependencies: ['@ztc/engine', 'ajv', 'ajv-formats', 'semver', 'yaml'] });
    expect(JSON.stringify(t.render!.inputs)).not.toContain('tools/ztc/src');
  });
});
