import { describe, expect, it } from 'vitest';
import { readAdapter } from '../adapter/read-adapter';
import { REPO_ROOT } from '../../testing/temp-workspace';
import { coerceText } from './fields';
import { collectSources, envName } from './sources';

const catalog = new Map(['hetzner', 'talos', 'cilium'].map((n) => [n, readAdapter(REPO_ROOT, n)]));

describe('init sources', () => {
  it('types text by the schema: numbers, booleans, comma lists, YAML flow', () => {
    expect(coerceText('42', { type: 'integer' })).toBe(42);
    expect(coerceText('4x', { type: 'integer' })).toBe('4x');
    expect(coerceText('yes', { type: 'boolean' })).toBe(true);
    expect(coerceText('a, b', { type: 'array', items: { type: 'string' } })).toEqual(['a', 'b']);
    expect(coerceText('[1, 2]', { type: 'array', items: { type: 'integer' } })).toEqual([1, 2]);
    expect(coerceText('1, 2', { type: 'array', items: { type: 'integer' } })).toEqual([1, 2]);
    expect(coerceText('[{ip: 1.2.3.4}]', { type: 'array', items: { type: 'object', properties: { ip: { type: 'string' } } } })).toEqual([{ ip: '1.2.3.4' }]);
    expect(coerceText('007', { type: 'string' })).toBe('007');
    expect(envName('cert-manager', 'enable_x')).toBe('ZTC_CERT_MANAGER_ENABLE_X');
  });

  it('merges by precedence --set > env > answers > existing and remembers where each value came from', () => {
    const s = collectSources({
      catalog,
      set: ['cilium.version=v1.18.1', 'cilium.version=v1.18.2'],
      env: { ZTC_CILIUM_VERSION: 'v1.16.0', ZTC_CILIUM_HUBBLE_ENABLED: 'false', ZTC_CACHE_DIR: '/x' },
      answers: { file: 'a.yaml', data: { adapters: { cilium: { version: 'v1.17.0', bgp_enabled: true } } } },
      existing: { file: 'platforms/p/platform.yaml', data: { version: '1.0', adapters: { cilium: { version: 'v1.15.0', bgp_asn: 65000 }, hetzner: null } } },
    });
    expect(s.issues).toEqual([]);
    const cilium = s.adapters.get('cilium')!;
    expect(cilium.get('version')).toEqual({ value: 'v1.18.2', file: '--set', path: 'cilium.version' });
    expect(cilium.get('hubble_enabled')).toEqual({ value: false, file: 'env ZTC_CILIUM_HUBBLE_ENABLED', path: 'cilium.hubble_enabled' });
    expect(cilium.get('bgp_enabled')!.file).toBe('a.yaml');
    expect(cilium.get('bgp_asn')!.file).toBe('platforms/p/platform.yaml');
    expect(s.existing).toEqual(['cilium', 'hetzner']);
    expect([...s.named]).toEqual(['cilium']);
  });
});
