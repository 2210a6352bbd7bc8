/**
 * cilium: Helm values for Cilium on Talos, and the `cni` capability carrying the Talos machine-config
 * patch every node needs (no built-in CNI, no kube-proxy). The chart is installed (or upgraded, one minor
 * at a time) at bootstrap; validation compares the agents' image tag with `version`.
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

/**
 * The BGP control-plane CRDs (CiliumBGPClusterConfig, …) are served as cilium.io/v2 from Cilium 1.18 on
 * (v2alpha1 is still served there, deprecated); before 1.18 only v2alpha1 exists. The chart's
 * artifacthub annotation still says v2alpha1 for 1.18, so the install step checks what the CRD really
 * serves before applying.
 */
export function bgpApiVersion(chartVersion: string): string {
  const [major, minor] = chartVersion.split('.').map(Number);
  return major! > 1 || (major === 1 && minor! >= 18) ? 'v2' : 'v2alpha1';
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
  const bgpFiles: string[] = [];
  if (bgpEnabled) {
    bgpFiles.push('cilium/bgp-cluster-config.yaml');
    files['cilium/bgp-cluster-config.yaml'] = stringify({
      apiVersion: `cilium.io/${bgpApiVersion(version)}`,
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
    scriptContext: {
      validate: { version },
      uninstall: { namespace: 'kube-system', chart: 'cilium' },
      install: {
        repository: 'https://helm.cilium.io',
        chart: 'cilium',
        version,
        namespace: 'kube-system',
        values: 'cilium/values.yaml',
        bgp_manifests: bgpFiles,
      },
    },
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
