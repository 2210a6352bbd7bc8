/**
 * cilium: Helm values for Cilium on Talos, and the `cni` capability carrying the Talos machine-config
 * patch every node needs (no built-in CNI, no kube-proxy). The chart is installed at bootstrap.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface CiliumConfig {
  version: string;
  bgp_enabled: boolean;
  bgp_asn: number;
  bgp?: { enabled?: boolean; asn?: number };
  hubble_enabled: boolean;
}

export const render = defineRender<CiliumConfig>((config, _platform, _caps, { template }) => {
  const version = config.version.replace(/^v/, '');
  const bgpEnabled = config.bgp_enabled || config.bgp?.enabled === true;
  const asn = config.bgp?.asn ?? config.bgp_asn;
  const talosPatch = { cluster: { network: { cni: { name: 'none' } }, proxy: { disabled: true } } };
  const files: Record<string, string> = {
    'cilium/values.yaml': template('values.yaml', { bgp_enabled: bgpEnabled, hubble_enabled: config.hubble_enabled }),
    'cilium/talos-patch.yaml': stringify(talosPatch),
  };
  if (bgpEnabled) {
    files['cilium/bgp-cluster-config.yaml'] = stringify({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumBGPClusterConfig',
      metadata: { name: 'default' },
      spec: {
        nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } },
        bgpInstances: [{ name: `instance-${asn}`, localASN: asn }],
      },
    });
  }
  return {
    files,
    capabilities: {
      cni: {
        name: 'cilium',
        version,
        kube_proxy_replacement: true,
        talos_patch: talosPatch,
        helm: {
          repository: 'https://helm.cilium.io',
          chart: 'cilium',
          version,
          namespace: 'kube-system',
          values_path: 'cilium/values.yaml',
        },
      },
    },
  };
});
