/**
 * talos: machine-config patches, one per node, and the cluster-wide patches that carry the CNI's
 * requirements and the install settings. `talosctl gen config` at bootstrap combines them with a secrets
 * bundle made there, so nothing secret is ever rendered. Every node must be a server of the
 * cloud-infrastructure inventory; images come from the Talos Image Factory for that platform.
 */
import { stringify } from 'yaml';
import { defineChangeCheck, defineRender } from '@ztc/engine';

interface Node {
  name: string;
  ip: string;
  role: 'controlplane' | 'worker';
}

export interface TalosConfig {
  version: string;
  kubernetes_version: string;
  factory_image_id: string;
  arch: 'amd64' | 'arm64';
  cluster_name: string;
  cluster_endpoint: string;
  disk_device: string;
  nodes: Node[];
}

interface Capabilities {
  'cloud-infrastructure': {
    provider: string;
    platform?: string;
    servers: { ip: string }[];
    rescue?: { user: string; private_key_file: string };
  };
  cni: { name: string; talos_patch: Record<string, unknown> };
}

/** Kubernetes minor versions each Talos minor supports (Talos "support matrix"). */
const SUPPORTED_KUBERNETES: Record<string, [number, number]> = { '1.10': [28, 33], '1.11': [29, 34] };
/** How long upgrade-os waits for one node to come back from its upgrade (healthy, Ready) before it stops naming it. */
const NODE_UPGRADE_SECONDS = 900;
/** The platforms Talos validates as cloud images; everything else is checked as metal. */
const CLOUD_PLATFORMS = new Set(['hcloud', 'aws', 'gcp', 'azure', 'digital-ocean', 'openstack', 'scaleway', 'upcloud', 'vultr', 'oracle', 'exoscale', 'nocloud']);

function checkNodes(config: TalosConfig, servers: readonly { ip: string }[]): void {
  const known = new Set(servers.map((s) => s.ip));
  const names = new Set<string>();
  for (const node of config.nodes) {
    if (!known.has(node.ip)) {
      throw new Error(`node "${node.name}" has ip ${node.ip}, which is not a server of cloud-infrastructure (${[...known].join(', ')})`);
    }
    if (names.has(node.name)) throw new Error(`node name "${node.name}" is used twice`);
    names.add(node.name);
  }
  if (!config.nodes.some((n) => n.role === 'controlplane')) {
    throw new Error('at least one node must have role "controlplane"');
  }
}

function checkKubernetesVersion(config: TalosConfig): void {
  const talosMinor = config.version.replace(/^v/, '').split('.').slice(0, 2).join('.');
  const range = SUPPORTED_KUBERNETES[talosMinor];
  const k8sMinor = Number(config.kubernetes_version.split('.')[1]);
  if (range && (k8sMinor < range[0] || k8sMinor > range[1])) {
    throw new Error(
      `kubernetes_version ${config.kubernetes_version} is not supported by Talos ${config.version} (it supports 1.${range[0]} to 1.${range[1]}); choose a version in that range`,
    );
  }
}

export const render = defineRender<TalosConfig, Capabilities>((config, _platform, caps) => {
  const infra = caps['cloud-infrastructure'];
  checkNodes(config, infra.servers);
  checkKubernetesVersion(config);
  const platform = infra.platform ?? 'metal';
  const installer = `factory.talos.dev/${platform}-installer/${config.factory_image_id}:${config.version}`;
  const imageUrl = `https://factory.talos.dev/image/${config.factory_image_id}/${config.version}/${platform}-${config.arch}.raw.xz`;
  const [endpointHost] = config.cluster_endpoint.split(':');
  const nodes = [...config.nodes].sort((a, b) => (a.name < b.name ? -1 : 1));
  const files: Record<string, string> = {
    'talos/patches/cluster.yaml': stringify(caps.cni.talos_patch),
    'talos/patches/kubernetes.yaml': stringify({
      cluster: { apiServer: { certSANs: [endpointHost] } },
      machine: { install: { disk: config.disk_device, image: installer }, features: { kubePrism: { enabled: true, port: 7445 } } },
    }),
  };
  for (const node of nodes) {
    files[`talos/nodes/${node.name}.yaml`] = stringify({
      machine: {
        type: node.role,
        network: { hostname: node.name },
        nodeLabels: { 'node.kubernetes.io/role': node.role },
      },
    });
  }
  const common = { talos_version: config.version, nodes: config.nodes };
  return {
    files,
    capabilities: {
      'kubernetes-api': {
        endpoint: `https://${config.cluster_endpoint}`,
        cluster_name: config.cluster_name,
        kubernetes_version: config.kubernetes_version,
        kubeconfig_file: 'kubeconfig',
      },
    },
    scriptContext: {
      'check-health': common,
      'gen-config': {
        ...common,
        cluster_name: config.cluster_name,
        cluster_endpoint: `https://${config.cluster_endpoint}`,
        kubernetes_version: config.kubernetes_version,
        install_disk: config.disk_device,
        install_image: installer,
        patches: ['talos/patches/cluster.yaml', 'talos/patches/kubernetes.yaml'],
        node_patches: Object.fromEntries(nodes.map((n) => [n.name, `talos/nodes/${n.name}.yaml`])),
        validate_mode: CLOUD_PLATFORMS.has(platform) ? 'cloud' : 'metal',
      },
      'install-image': {
        ...common,
        image_url: imageUrl,
        install_disk: config.disk_device,
        rescue: infra.rescue ?? { user: 'root', private_key_file: 'rescue_ed25519' },
      },
      'apply-controlplane': common,
      'bootstrap-etcd': common,
      kubeconfig: { ...common, cluster_endpoint: `https://${config.cluster_endpoint}` },
      'join-workers': common,
      'upgrade-os': { ...common, install_image: installer, node_timeout_seconds: NODE_UPGRADE_SECONDS },
      'upgrade-k8s': { ...common, kubernetes_version: config.kubernetes_version },
      'remove-nodes': common,
      'validate-cluster': { ...common, kubernetes_version: config.kubernetes_version },
      'etcd-snapshot': common,
      'reset-nodes': common,
    },
  };
});

const minorOf = (version: string): number => Number(version.split('.')[1]);

/** Refusals for a Kubernetes version change the upgrade path does not allow (one minor at a time, no minor downgrade). */
function kubernetesPath(from: string, to: string): string[] {
  const [a, b] = [minorOf(from), minorOf(to)];
  if (b < a) {
    return [
      `kubernetes_version ${from} → ${to} is a minor-version downgrade, which Kubernetes does not support: set kubernetes_version back to 1.${a}.x (or a later version), render and bootstrap`,
    ];
  }
  if (b > a + 1) {
    const skipped = Array.from({ length: b - a - 1 }, (_, i) => `1.${a + 1 + i}`);
    return [
      `kubernetes_version ${from} → ${to} skips ${skipped.join(', ')}: Kubernetes upgrades one minor version at a time, so set kubernetes_version to ${skipped.map((m) => `${m}.x`).join(', then ')}, render and bootstrap after each, then ${to}`,
    ];
  }
  return [];
}

/**
 * Refusals for control planes removed so many at once that etcd would lose its quorum, or every one. One at
 * a time is fine, 2 → 1 included: both healthy members commit the removal and one of one remains.
 */
function controlPlaneRemoval(previous: Node[], next: Node[]): string[] {
  const before = previous.filter((n) => n.role === 'controlplane');
  const kept = before.filter((n) => next.some((m) => m.role === 'controlplane' && m.ip === n.ip));
  if (before.length === 0 || (kept.length > 0 && (before.length - kept.length === 1 || kept.length * 2 > before.length))) return [];
  const gone = before.filter((n) => !kept.includes(n)).map((n) => `${n.name} (${n.ip})`);
  return [
    `removing the control planes ${gone.join(', ')} at once leaves ${kept.length} of the ${before.length} control planes (etcd members) the cluster has, not a majority: etcd would lose its quorum. Remove one control plane at a time (take one out of talos.nodes, render and bootstrap, then the next), or add the new control planes first`,
  ];
}

/**
 * Refusal for removing the control plane whose address is cluster_endpoint: the API endpoint that every
 * node's config and the kubeconfig use would point at a reset, powered-off machine.
 */
function endpointRemoval(previous: Node[], next: Node[], endpoint: string | undefined): string[] {
  if (!endpoint) return [];
  const host = /^https?:\/\/([^/:]+)/.exec(endpoint)?.[1];
  const gone = previous.find((n) => n.role === 'controlplane' && n.ip === host);
  if (!gone || next.some((n) => n.role === 'controlplane' && n.ip === host)) return [];
  return [
    `cluster_endpoint ${endpoint} is the address of ${gone.name} (${gone.ip}), which this change removes: the Kubernetes API endpoint that every node's config and the kubeconfig use would point at a reset, powered-off machine. Keep ${gone.name} in talos.nodes and remove another control plane instead; to retire ${gone.name} itself, first move cluster_endpoint to an address that stays (a separate change), then remove it`,
  ];
}

/**
 * The render-time check of a change against the previous render (the engine calls it with the step
 * contexts of the pipeline.yaml on disk and of the new render): a Kubernetes jump of more than one minor
 * version or a minor downgrade, a removal of most control planes at once, and removing the control plane
 * that cluster_endpoint points at, are refused with the safe sequence. Pure: the nodes and versions come from the two `talos/gen-config` contexts.
 */
export const checkChange = defineChangeCheck((previous, next) => {
  type GenConfig = { nodes?: Node[]; kubernetes_version?: string; cluster_endpoint?: string };
  const before = previous.scriptContext['talos/gen-config'] as GenConfig | undefined;
  const after = next.scriptContext['talos/gen-config'] as GenConfig | undefined;
  if (!before || !after) return [];
  const refusals: string[] = [];
  if (before.kubernetes_version && after.kubernetes_version) refusals.push(...kubernetesPath(before.kubernetes_version, after.kubernetes_version));
  refusals.push(...controlPlaneRemoval(before.nodes ?? [], after.nodes ?? []));
  refusals.push(...endpointRemoval(before.nodes ?? [], after.nodes ?? [], after.cluster_endpoint));
  return refusals;
});
