import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkChange, render, type TalosConfig } from './render';

const config: TalosConfig = {
  version: 'v1.11.5',
  kubernetes_version: '1.34.1',
  factory_image_id: 'a'.repeat(64),
  cluster_name: 'prod',
  cluster_endpoint: '203.0.113.10:6443',
  arch: 'amd64',
  disk_device: '/dev/nvme0n1',
  nodes: [
    { name: 'worker-1', ip: '203.0.113.11', role: 'worker' },
    { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
  ],
};
const caps = {
  'cloud-infrastructure': {
    provider: 'hetzner',
    platform: 'hcloud',
    servers: [{ ip: '203.0.113.10' }, { ip: '203.0.113.11' }],
    rescue: { user: 'root', private_key_file: 'hetzner/rescue_ed25519' },
  },
  cni: { name: 'cilium', talos_patch: { cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } } },
};
const helpers = { template: () => '' };

describe('talos render', () => {
  it('renders one patch per node and carries the CNI patch into the cluster patch', () => {
    const out = render(config, { name: 'p' }, caps, helpers);
    expect(Object.keys(out.files).sort()).toEqual(['talos/nodes/cp-1.yaml', 'talos/nodes/worker-1.yaml', 'talos/patches/cluster.yaml', 'talos/patches/kubernetes.yaml']);
    expect(parse(out.files['talos/patches/cluster.yaml']!)).toEqual(caps.cni.talos_patch);
    expect(parse(out.files['talos/nodes/cp-1.yaml']!).machine).toMatchObject({ type: 'controlplane', network: { hostname: 'cp-1' } });
    expect(parse(out.files['talos/patches/kubernetes.yaml']!).machine.install).toEqual({
      disk: '/dev/nvme0n1',
      image: `factory.talos.dev/hcloud-installer/${'a'.repeat(64)}:v1.11.5`,
    });
  });

  it('publishes the API endpoint, and no secrets (no PKI, no tokens) anywhere', () => {
    const out = render(config, { name: 'p' }, caps, helpers);
    expect(out.capabilities?.['kubernetes-api']).toEqual({
      endpoint: 'https://203.0.113.10:6443',
      cluster_name: 'prod',
      kubernetes_version: '1.34.1',
      kubeconfig_file: 'kubeconfig',
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

  it("takes the disk image and installer for the machines' platform from the Image Factory", () => {
    const out = render(config, { name: 'p' }, caps, helpers);
    expect(out.scriptContext?.['install-image']).toMatchObject({
      image_url: `https://factory.talos.dev/image/${'a'.repeat(64)}/v1.11.5/hcloud-amd64.raw.xz`,
      install_disk: '/dev/nvme0n1',
      rescue: { user: 'root', private_key_file: 'hetzner/rescue_ed25519' },
    });
    expect(out.scriptContext?.['gen-config']).toMatchObject({ validate_mode: 'cloud', kubernetes_version: '1.34.1', cluster_endpoint: 'https://203.0.113.10:6443' });
    const metal = render(
      { ...config, arch: 'arm64' },
      { name: 'p' },
      { ...caps, 'cloud-infrastructure': { provider: 'robot', servers: caps['cloud-infrastructure'].servers } },
      helpers,
    );
    expect(metal.scriptContext?.['install-image']?.image_url).toMatch(/\/metal-arm64\.raw\.xz$/);
    expect(metal.scriptContext?.['gen-config']).toMatchObject({ validate_mode: 'metal', install_image: `factory.talos.dev/metal-installer/${'a'.repeat(64)}:v1.11.5` });
  });

  it('refuses a Kubernetes version the Talos version does not support', () => {
    expect(() => render({ ...config, kubernetes_version: '1.28.4' }, { name: 'p' }, caps, helpers)).toThrow(
      'kubernetes_version 1.28.4 is not supported by Talos v1.11.5 (it supports 1.29 to 1.34)',
    );
  });
});

describe('talos checkChange (render time, against the previous pipeline.yaml)', () => {
  const cp = (n: number) => ({ name: `cp-${n}`, ip: `203.0.113.${n}`, role: 'controlplane' as const });
  const worker = (n: number) => ({ name: `worker-${n}`, ip: `203.0.113.${10 + n}`, role: 'worker' as const });
  const side = (nodes: object[], kubernetes_version = '1.34.1') => ({ scriptContext: { 'talos/gen-config': { nodes, kubernetes_version } } });

  it('refuses a Kubernetes jump of more than one minor, naming the supported path', () => {
    expect(checkChange(side([cp(1)], '1.32.3'), side([cp(1)], '1.34.1'))).toEqual([
      'kubernetes_version 1.32.3 → 1.34.1 skips 1.33: Kubernetes upgrades one minor version at a time, so set kubernetes_version to 1.33.x, render and bootstrap after each, then 1.34.1',
    ]);
    expect(checkChange(side([cp(1)], '1.33.5'), side([cp(1)], '1.34.1'))).toEqual([]);
    expect(checkChange(side([cp(1)], '1.34.1'), side([cp(1)], '1.34.0'))).toEqual([]);
  });

  it('refuses a minor downgrade', () => {
    expect(checkChange(side([cp(1)], '1.34.1'), side([cp(1)], '1.33.5'))).toEqual([
      'kubernetes_version 1.34.1 → 1.33.5 is a minor-version downgrade, which Kubernetes does not support: set kubernetes_version back to 1.34.x (or a later version), render and bootstrap',
    ]);
  });

  it('refuses removing a majority of the control planes at once (3 → 1) or every one, with the safe sequence; one of three, or of two, is fine', () => {
    const [refusal] = checkChange(side([cp(1), cp(2), cp(3), worker(1)]), side([cp(1), worker(1)]));
    expect(refusal).toBe(
      'removing the control planes cp-2 (203.0.113.2), cp-3 (203.0.113.3) at once leaves 1 of the 3 control planes (etcd members) the cluster has, not a majority: etcd would lose its quorum. Remove one control plane at a time (take one out of talos.nodes, render and bootstrap, then the next), or add the new control planes first',
    );
    // 2 → 1 is one control plane at a time: both healthy members commit the removal, one of one remains.
    expect(checkChange(side([cp(1), cp(2)]), side([cp(1)]))).toEqual([]);
    expect(checkChange(side([cp(1), cp(2), cp(3), cp(4)]), side([cp(1), cp(2)]))).toHaveLength(1);
    expect(checkChange(side([cp(1), cp(2), cp(3)]), side([cp(1), cp(2)]))).toEqual([]);
    // Replacing the only control plane by another at once: none of the previous stays.
    expect(checkChange(side([cp(1)]), side([cp(2)]))).toHaveLength(1);
    // Workers come and go freely.
    expect(checkChange(side([cp(1), worker(1), worker(2)]), side([cp(1)]))).toEqual([]);
  });

  it('refuses removing the control plane that cluster_endpoint points at (the API endpoint would be a powered-off machine); another one is fine', () => {
    const at = (nodes: object[], endpoint: string) => ({ scriptContext: { 'talos/gen-config': { nodes, kubernetes_version: '1.34.1', cluster_endpoint: endpoint } } });
    const three = [cp(1), cp(2), cp(3), worker(1)];
    expect(checkChange(at(three, 'https://203.0.113.1:6443'), at([cp(2), cp(3), worker(1)], 'https://203.0.113.1:6443'))).toEqual([
      "cluster_endpoint https://203.0.113.1:6443 is the address of cp-1 (203.0.113.1), which this change removes: the Kubernetes API endpoint that every node's config and the kubeconfig use would point at a reset, powered-off machine. Keep cp-1 in talos.nodes and remove another control plane instead; to retire cp-1 itself, first move cluster_endpoint to an address that stays (a separate change), then remove it",
    ]);
    expect(checkChange(at(three, 'https://203.0.113.1:6443'), at([cp(1), cp(2), worker(1)], 'https://203.0.113.1:6443'))).toEqual([]);
    // An endpoint that is no node's address (a load balancer, a floating IP) does not tie a control plane.
    expect(checkChange(at(three, 'https://198.51.100.7:6443'), at([cp(2), cp(3), worker(1)], 'https://198.51.100.7:6443'))).toEqual([]);
  });

  it('has nothing to compare without a previous gen-config context', () => {
    expect(checkChange({ scriptContext: {} }, side([cp(1)]))).toEqual([]);
  });
});
