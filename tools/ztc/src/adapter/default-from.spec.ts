import { describe, expect, it } from 'vitest';
import { defaultFromProblem, defaultFromSources, deriveDefault } from './default-from';

const known = {
  platform: { organization: 'acme' },
  hetzner: { server_ips: ['203.0.113.10', '203.0.113.11', '203.0.113.12'] },
  github: { repo_url: 'https://github.com/acme/platform' },
};
const NODES = { each: 'hetzner.server_ips', value: { name: 'worker-{{ index }}', ip: '{{ item }}', role: 'worker' }, first: { name: 'cp-1', role: 'controlplane' } };

describe('x-ztc-default-from', () => {
  it('copies a value, fills a template, or builds one list item per element', () => {
    expect(deriveDefault('hetzner.server_ips', known)).toEqual(known.hetzner.server_ips);
    expect(deriveDefault({ value: '{{ github.repo_url }}.git' }, known)).toBe('https://github.com/acme/platform.git');
    expect(deriveDefault({ value: '{{ hetzner.server_ips[0] }}:6443' }, known)).toBe('203.0.113.10:6443');
    expect(deriveDefault(NODES, known)).toEqual([
      { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
      { name: 'worker-1', ip: '203.0.113.11', role: 'worker' },
      { name: 'worker-2', ip: '203.0.113.12', role: 'worker' },
    ]);
  });

  it('offers nothing while a reference is unknown', () => {
    expect(deriveDefault('github.repo_url', { platform: {} })).toBeUndefined();
    expect(deriveDefault(NODES, { hetzner: {} })).toBeUndefined();
  });

  it('names the adapters it reads from and rejects malformed annotations', () => {
    expect(defaultFromSources(NODES)).toEqual(['hetzner']);
    expect(defaultFromSources({ value: '{{ github.repo_url }}/{{ platform.organization }}' })).toEqual(['github']);
    expect(defaultFromProblem('nodots')).toContain('not a reference');
    expect(defaultFromProblem({ each: 'hetzner.server_ips' })).toBe('missing "value"');
    expect(defaultFromProblem({ value: 1, first: {} })).toContain('"first" needs "each"');
    expect(defaultFromProblem({ value: 1, extra: 2 })).toContain('unknown key(s) extra');
    expect(defaultFromProblem(NODES)).toBeUndefined();
  });
});
