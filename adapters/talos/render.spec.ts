import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { render, type TalosConfig } from './render';

const config: TalosConfig = {
  version: 'v1.11.5',
  kubernetes_version: '1.34.1',
  factory_image_id: 'a'.repeat(64),
  cluster_name: 'prod',
  cluster_endpoint: '203.0.113.10:6443',
  disk_device: '/dev/nvme0n1',
  nodes: [
    { name: 'worker-1', ip: '203.0.113.11', role: 'worker' },
    { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
  ],
};
const caps = {
  'cloud-infrastructure': { provider: 'hetzner', servers: [{ ip: '203.0.113.10' }, { ip: '203.0.113.11' }] },
  cni: { name: 'cilium', talos_patch: { cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } } },
};
const helpers = { template: () => '' };

describe('talos render', () => {
  it('renders one patch per node and carries the CNI patch into the cluster patch', () => {
    const out = render(config, { name: 'p' }, caps, helpers);
    expect(Object.keys(out.files).sort()).toEqual([
      'talos/nodes/cp-1.yaml',
      'talos/nodes/worker-1.yaml',
      'talos/patches/cluster.yaml',
      'talos/patches/kubernetes.yaml',
    ]);
    expect(parse(out.files['talos/patches/cluster.yaml']!)).toEqual(caps.cni.talos_patch);
    expect(parse(out.files['talos/nodes/cp-1.yaml']!).machine).toMatchObject({ type: 'controlplane', network: { hostname: 'cp-1' } });
    expect(parse(out.files['talos/patches/kubernetes.yaml']!).machine.install).toEqual({
      disk: '/dev/nvme0n1',
      image: `factory.talos.dev/installer/${'a'.repeat(64)}:v1.11.5`,
    });
  });

  it('publishes the API endpoint, and no secrets (no PKI, no tokens) anywhere', () => {
    const out = render(config, { name: 'p' }, caps, helpers);
    expect(out.capabilities?.['kubernetes-api']).toEqual({
      endpoint: 'https://203.0.113.10:6443',
      cluster_name: 'prod',
      kubernetes_version: '1.34.1',
      kubeconfig_state_file: 'kubeconfig',
    });
    expect(Object.values(out.files).join('\n')).not.toMatch(/BEGIN|token|secret|crt|key:/i);
  });

  it('refuses a node that is not a server of the infrastructure', () => {
    const bad = { ...config, nodes: [...config.nodes, { name: 'x', ip: '198.51.100.1', role: 'worker' as const }] };
    expect(() => render(bad, { name: 'p' }, caps, helpers)).toThrow('node "x" has ip 198.51.100.1, which is not a server of cloud-infrastructure');
  });

  it('refuses a cluster without a control-plane node', () => {
    const bad = { ...config, nodes: [{ name: 'w', ip: '203.0.113.11', role: 'worker' as const }] };
    expect(() => render(bad, { name: 'p' }, caps, helpers)).toThrow('at least one node must have role "controlplane"');
  });
});
