import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { interpolate } from '@ztc/engine/testing';
import { render, type CiliumConfig } from './render';

const helpers = {
  template: (name: string, vars: Record<string, unknown>) => interpolate(readFileSync(join(__dirname, 'templates', name), 'utf8'), vars),
};
const base: CiliumConfig = { version: 'v1.18.5', bgp_enabled: false, bgp_asn: 64512, hubble_enabled: true };

describe('cilium render', () => {
  it('renders Helm values for Talos with kube-proxy replacement on KubePrism', () => {
    const values = parse(render(base, { name: 'p' }, {}, helpers).files['cilium/values.yaml']!);
    expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: 'localhost', k8sServicePort: 7445, ipam: { mode: 'kubernetes' } });
    expect(values.cgroup).toEqual({ autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' });
    expect(values.bgpControlPlane).toEqual({ enabled: false });
  });

  it('publishes the cni capability with the Talos patch (no CNI, no kube-proxy) and the chart to install', () => {
    const cni = render(base, { name: 'p' }, {}, helpers).capabilities?.cni as Record<string, unknown>;
    expect(cni.talos_patch).toEqual({ cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } });
    expect(cni.helm).toMatchObject({ chart: 'cilium', version: '1.18.5', values_path: 'cilium/values.yaml' });
  });

  it('accepts the older nested bgp form and renders a BGP cluster config', () => {
    const out = render({ ...base, bgp: { enabled: true, asn: 65001 } }, { name: 'p' }, {}, helpers);
    expect(parse(out.files['cilium/values.yaml']!).bgpControlPlane).toEqual({ enabled: true });
    expect(parse(out.files['cilium/bgp-cluster-config.yaml']!).spec.bgpInstances).toEqual([{ name: 'instance-65001', localASN: 65001 }]);
  });
});
