/**
 * ksops: the .sops.yaml template (one creation rule: `*.secret.yaml`, only `data`/`stringData` encrypted)
 * and the secrets-management capability. Render never makes keys: the recipient is filled in at
 * bootstrap (pre-work writes the completed file to the state dir), unless the platform gives an existing
 * `age_public_key`. Accepts the older engine's fields (s3_endpoint, s3_region, s3_bucket_name).
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface KsopsConfig {
  s3_endpoint: string;
  s3_region?: string;
  s3_bucket_name: string;
  age_public_key?: string;
  argocd_namespace: string;
}

export const SOPS_CONFIG = '.sops.yaml';
export const SOPS_CONFIG_STATE_FILE = 'ksops/.sops.yaml';
export const KEY_SECRET = { name: 'sops-age', key: 'keys.txt' };

/** `https://fsn1.your-objectstorage.com` → `fsn1` (how the older engine derived the region). */
export function regionOf(endpoint: string): string {
  return new URL(endpoint).hostname.split('.')[0]!;
}

export function creationRules(recipient: string | null): Record<string, unknown> {
  return { creation_rules: [{ path_regex: '\\.secret\\.yaml$', encrypted_regex: '^(data|stringData)$', age: recipient }] };
}

export const render = defineRender<KsopsConfig>((config, platform) => {
  const endpoint = config.s3_endpoint.replace(/\/$/, '');
  const s3 = { endpoint, region: config.s3_region ?? regionOf(endpoint), bucket: config.s3_bucket_name };
  const note = config.age_public_key
    ? ''
    : `# The Age recipient is filled in at bootstrap: ksops pre-work writes the completed file to\n# $ZTC_STATE_DIR/${SOPS_CONFIG_STATE_FILE}. Until then this file cannot encrypt.\n`;
  const backupKey = `ztc/${[platform.organization, platform.app_name, platform.name].filter(Boolean).join('/')}/age.key`;
  return {
    files: { [SOPS_CONFIG]: note + stringify(creationRules(config.age_public_key ?? null)) },
    capabilities: {
      'secrets-management': {
        provider: 'sops-age',
        bucket: s3.bucket,
        sops_config: SOPS_CONFIG,
        sops_config_state_file: SOPS_CONFIG_STATE_FILE,
        key_secret: { namespace: config.argocd_namespace, ...KEY_SECRET },
      },
    },
    scriptContext: {
      'check-health': { s3 },
      'age-key': { s3, backup_key: backupKey, age_public_key: config.age_public_key ?? null, sops_config_state_file: SOPS_CONFIG_STATE_FILE },
      'age-secret': { secret: { namespace: config.argocd_namespace, ...KEY_SECRET } },
      'round-trip': { sops_config_state_file: SOPS_CONFIG_STATE_FILE },
      'delete-age-secret': { secret: { namespace: config.argocd_namespace, ...KEY_SECRET } },
      'purge-key-backup': { s3, backup_key: backupKey },
    },
  };
});
