/**
 * Fidelity: the Helm values cilium renders pass the values.schema.json of every Cilium chart the adapter
 * accepts (1.18.5 and 1.19.6 vendored: what Helm runs on install and upgrade), name only keys the chart has (Helm ignores unknown keys, so a typo would pass
 * silently), and set explicitly every value the Talos guide needs where the chart's default differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPlatform } from '@ztc/engine/testing';
import { describeErrors, upstreamValidator, upstreamYaml } from '../../tools/upstream/upstream';
import { bgpApiVersion, render } from './render';

/** This repository: the specs render its example platform. */
const REPO_ROOT = join(__dirname, '..', '..');

const plan = renderPlatform(REPO_ROOT, 'example');
const values = parse(plan.files.get('cilium/values.yaml')!) as Record<string, any>;
const chartDefaults = upstreamYaml<Record<string, any>>('cilium/1.18.5/values.yaml');
/** The vendored charts, one per minor the adapter's version pattern accepts. */
const CHARTS = ['1.18.5', '1.19.6'];

/** Dotted paths of every leaf in `v` that the chart's values.yaml does not have. */
function unknownKeys(v: Record<string, any>, defaults: Record<string, any>, prefix = ''): string[] {
  return Object.entries(v).flatMap(([k, val]) => {
    if (!(k in defaults)) return [`${prefix}${k}`];
    const d = defaults[k];
    return val && typeof val === 'object' && !Array.isArray(val) && d && typeof d === 'object' ? unknownKeys(val, d, `${prefix}${k}.`) : [];
  });
}

describe('cilium values against the vendored Cilium charts', () => {
  it.each(CHARTS)('pass the %s chart values schema, and use only keys that chart knows', (chart) => {
    const validate = upstreamValidator(`cilium/${chart}/values.schema.json`);
    const ok = validate(values);
    expect(describeErrors(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
    const defaults = upstreamYaml<Record<string, any>>(`cilium/${chart}/values.yaml`);
    expect(unknownKeys(values, defaults)).toEqual([]);
    expect(unknownKeys({ ipam: { mod: 'kubernetes' } }, defaults)).toEqual(['ipam.mod']);
    // An upgrade passes upgradeCompatibility: the chart takes it as a string.
    expect(validate({ ...values, upgradeCompatibility: '1.18' })).toBe(true);
    expect(validate({ ...values, upgradeCompatibility: 1.18 })).toBe(false);
  });

  it("the adapter's version input accepts exactly the vendored charts' minors", () => {
    const pattern = new RegExp(parse(readFileSync(join(__dirname, 'adapter.yaml'), 'utf8')).inputs.properties.version.pattern);
    for (const chart of CHARTS) expect(pattern.test(`v${chart}`), chart).toBe(true);
    expect(pattern.test('v1.20.0')).toBe(false);
    expect(pattern.test('1.17.9')).toBe(false);
  });

  it('set what the Talos guide needs, each differing from the chart default', () => {
    const talos = {
      'ipam.mode': 'kubernetes',
      kubeProxyReplacement: true,
      k8sServiceHost: 'localhost',
      k8sServicePort: 7445,
      'cgroup.autoMount.enabled': false,
      'cgroup.hostRoot': '/sys/fs/cgroup',
    };
    const at = (o: Record<string, any>, path: string) => path.split('.').reduce((x, k) => x?.[k], o);
    for (const [path, want] of Object.entries(talos)) {
      expect(at(values, path), path).toEqual(want);
      expect(at(chartDefaults, path), `${path} default`).not.toEqual(want);
    }
    const caps = values.securityContext.capabilities;
    expect(caps.ciliumAgent).not.toContain('SYS_MODULE');
    expect(chartDefaults.securityContext.capabilities.ciliumAgent).toContain('SYS_MODULE');
    expect(caps.cleanCiliumState).toEqual(['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE']);
  });

  it('render BGP objects only when enabled, with the API version the CRDs serve', () => {
    const template = (_: string, vars: Record<string, unknown>) => `bgpControlPlane:\n  enabled: ${String(vars.bgp_enabled)}\n`;
    const config = { version: 'v1.18.5', bgp_enabled: false, bgp_asn: 64512, hubble_enabled: true };
    expect(Object.keys(render(config, { name: 'p' }, {}, { template }).files)).not.toContain('cilium/bgp-cluster-config.yaml');
    const on = render({ ...config, bgp_enabled: true }, { name: 'p' }, {}, { template });
    expect(parse(on.files['cilium/bgp-cluster-config.yaml']!).apiVersion).toBe('cilium.io/v2');
    expect(on.scriptContext?.install?.bgp_manifests).toEqual(['cilium/bgp-cluster-config.yaml']);
    expect(bgpApiVersion('1.17.6')).toBe('v2alpha1');
  });
});
