/**
 * talos: machine-config patches, one per node, and the cluster-wide patch that carries the CNI's
 * requirements. `talosctl gen config` at bootstrap combines them with freshly generated secrets, so
 * nothing secret is ever rendered. Every node must be a server of the cloud-infrastructure inventory.
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
  cluster_name: string;
  cluster_endpoint: string;
  disk_device: string;
  nodes: Node[];
}

interface Capabilities {
  'cloud-infrastructure': { provider: string; servers: { ip: string }[] };
  cni: { name: string; talos_patch: Record<string, unknown> };
}

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

export const render = defineRender<TalosConfig, Capabilities>((config, _platform, caps) => {
  checkNodes(config, caps['cloud-infrastructure'].servers);
  const installer = `factory.talos.dev/installer/${config.factory_image_id}:${config.version}`;
  const [endpointHost] = config.cluster_endpoint.split(':');
  const files: Record<string, string> = {
    'talos/patches/cluster.yaml': stringify(caps.cni.talos_patch),
    'talos/patches/kubernetes.yaml': stringify({
      cluster: { apiServer: { certSANs: [endpointHost] } },
      machine: { install: { disk: config.disk_device, image: installer }, features: { kubePrism: { enabled: true, port: 7445 } } },
    }),
  };
  for (const node of [...config.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    files[`talos/nodes/${node.name}.yaml`] = stringify({
      machine: {
        type: node.role,
        network: { hostname: node.name },
        nodeLabels: { 'node.kubernetes.io/role': node.role },
      },
    });
  }
  return {
    files,
    capabilities: {
      'kubernetes-api': {
        endpoint: `https://${config.cluster_endpoint}`,
        cluster_name: config.cluster_name,
        kubernetes_version: config.kubernetes_version,
        kubeconfig_state_file: 'kubeconfig',
      },
    },
  };
});
