import { describe, expect, it } from 'vitest';
import type { AdapterManifest } from '../adapter/types';
import { ConfigError } from '../errors';
import { resolve } from './resolver';

function adapter(name: string, provides: [string, string?][] = [], requires: [string, string?][] = []): AdapterManifest {
  return {
    name,
    version: '1.0.0',
    description: name,
    isDefault: false,
    provides: provides.map(([capability, version]) => ({ capability, version: version ?? '1.0.0' })),
    requires: requires.map(([capability, range]) => ({ capability, range })),
    sharedPaths: [],
    inputs: {},
    tools: [],
    scripts: { 'pre-work': [], bootstrap: [], 'post-work': [], validation: [] },
    teardown: [],
    init: [],
    root: `adapters/${name}`,
    file: `adapters/${name}/adapter.yaml`,
  };
}

const opts = { file: 'platforms/p/platform.yaml' };
const map = (...as: AdapterManifest[]) => new Map(as.map((a) => [a.name, a]));

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('resolve', () => {
  it('orders providers before consumers and breaks ties by name, whatever the input order', () => {
    const as = [adapter('zeta', [['z']]), adapter('app', [], [['net'], ['z']]), adapter('net', [['net']]), adapter('alpha')];
    const forward = resolve(map(...as), opts).order;
    const backward = resolve(map(...[...as].reverse()), opts).order;
    expect(forward).toEqual(['alpha', 'net', 'zeta', 'app']);
    expect(backward).toEqual(forward);
  });

  it('names the requiring adapter and every workspace adapter that could provide a missing capability', () => {
    const e = errorOf(() => resolve(map(adapter('talos', [], [['cni']])), { ...opts, candidatesFor: (c) => (c === 'cni' ? ['calico', 'cilium'] : []) }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('adapter "talos" requires capability "cni" but no adapter in the platform provides it');
    expect(e.message).toContain('add one of these adapters to the platform: calico, cilium');
  });

  it('says when no adapter in the workspace provides a capability', () => {
    const e = errorOf(() => resolve(map(adapter('talos', [], [['cni']])), { ...opts, candidatesFor: () => [] }));
    expect(e.message).toContain('no adapter in the workspace provides "cni"');
  });

  it('refuses two adapters providing the same capability', () => {
    const e = errorOf(() => resolve(map(adapter('cilium', [['cni']]), adapter('calico', [['cni']])), opts));
    expect(e.message).toContain('capability "cni" is provided by both "calico" and "cilium"');
  });

  it('prints the cycle path', () => {
    const e = errorOf(() => resolve(map(adapter('a', [['x']], [['z']]), adapter('b', [['y']], [['x']]), adapter('c', [['z']], [['y']]), adapter('d')), opts));
    expect(e.message).toContain('capability cycle: a -> c -> b -> a');
  });

  it('counts an adapter that requires a capability it provides itself as a cycle', () => {
    const e = errorOf(() => resolve(map(adapter('a', [['x']], [['x']]), adapter('b')), opts));
    expect(e.message).toContain('capability cycle: a -> a');
  });

  it('reports an unsatisfied capability version range with both versions', () => {
    const e = errorOf(() => resolve(map(adapter('net', [['network', '2.1.0']]), adapter('app', [], [['network', '>=1.0.0 <2.0.0']])), opts));
    expect(e.message).toContain('adapter "app" requires "network" >=1.0.0 <2.0.0, but "net" provides version 2.1.0');
  });

  it('accepts a satisfied range', () => {
    const r = resolve(map(adapter('net', [['network', '1.4.0']]), adapter('app', [], [['network', '^1.2.0']])), opts);
    expect(r.dependsOn.get('app')).toEqual(['net']);
  });
});
