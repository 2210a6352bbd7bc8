/**
 * A temp workspace for `ztc init` tests: the repository's hetzner, talos and cilium adapters and the
 * capability contracts, no platform yet, and a secrets file in a separate temp folder (outside the
 * workspace, as in real use) through ZTC_SECRETS_FILE.
 */
import { tempDir, tempWorkspace, type TempWorkspace } from './temp-workspace';

export interface InitWorkspace extends TempWorkspace {
  /** Environment for init runs: ZTC_SECRETS_FILE set, no XDG/HOME config of the real user. */
  env: NodeJS.ProcessEnv;
  secretsFile: string;
}

export function initWorkspace(files: Record<string, string> = {}): InitWorkspace {
  const ws = tempWorkspace(files, { fromRepo: ['adapters/hetzner', 'adapters/talos', 'adapters/cilium', 'tools/ztc/capabilities'] });
  const secretsFile = `${tempDir('ztc-secrets-')}/config/ztc/prod.env`;
  return Object.assign(ws, { secretsFile, env: { ZTC_SECRETS_FILE: secretsFile, XDG_CONFIG_HOME: '/nonexistent' } });
}

/** A 64-character token (hetzner's pattern) that is easy to search for. */
export const CANARY = 'ZtcCanary7d1e3b9a55c2f04e'.padEnd(64, 'X');

/** platform.yaml of the platform the init specs build (wizard and non-interactive alike). */
export const EXPECTED_YAML = `# yaml-language-server: $schema=./platform.schema.json
version: "1.0"
platform:
  organization: acme
  app_name: acme-prod
adapters:
  cilium: {}
  hetzner:
    server_ips: [ 203.0.113.10, 203.0.113.11 ]
  talos:
    cluster_name: prod
    cluster_endpoint: 203.0.113.10:6443
    nodes:
      - { name: cp-1, ip: 203.0.113.10, role: controlplane }
      - { name: worker-1, ip: 203.0.113.11, role: worker }
`;
