/**
 * talos: machine-config patches, one per node, and the cluster-wide patches that carry the CNI's
 * requirements and the install settings. `talosctl gen config` at bootstrap combines them with a secrets
 * bundle made there, so nothing secret is ever rendered. Every node must be a server of the
 * cloud-infrastructure inventory; images come from the Talos Image Factory for that platform.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

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
      'validate-cluster': common,
    },
  };
});
