/**
 * Fidelity: the Helm values cilium renders pass the Cilium 1.18.5 chart's values.schema.json (what Helm
 * runs on install), name only keys the chart has (Helm ignores unknown keys, so a typo would pass
 * silently), and set explicitly every value the Talos guide needs where the chart's default differs.
 */
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
const validate = upstreamValidator('cilium/1.18.5/values.schema.json');

/** Dotted paths of every leaf in `v` that the chart's values.yaml does not have. */
function unknownKeys(v: Record<string, any>, defaults: Record<string, any>, prefix = ''): string[] {
  return Object.entries(v).flatMap(([k, val]) => {
    if (!(k in defaults)) return [`${prefix}${k}`];
    const d = defaults[k];
    return val && typeof val === 'object' && !Array.isArray(val) && d && typeof d === 'object' ? unknownKeys(val, d, `${prefix}${k}.`) : [];
  });
}

describe('cilium values against the Cilium 1.18.5 chart', () => {
  it('pass the chart values schema', () => {
    const ok = validate(values);
    expect(describeErrors(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('use only keys the chart knows', () => {
    expect(unknownKeys(values, chartDefaults)).toEqual([]);
    expect(unknownKeys({ ipam: { mod: 'kubernetes' } }, chartDefaults)).toEqual(['ipam.mod']);
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
