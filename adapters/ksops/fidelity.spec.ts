/**
 * Fidelity: ksops renders a .sops.yaml that SOPS v3.13.2 accepts (one creation rule, one selector), with
 * no key in it unless the platform gives its public key; the capability names where bootstrap puts the
 * filled-in file and the key's Secret, and nothing secret.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPlatform } from '@ztc/engine/testing';
import { describeErrors, upstreamValidator } from '../../tools/upstream/upstream';
import { creationRules, regionOf, render } from './render';

/** This repository: the specs render its example platform. */
const REPO_ROOT = join(__dirname, '..', '..');

const validate = upstreamValidator('sops/v3.13.2/sops-config.schema.json');

describe('ksops output', () => {
  it('.sops.yaml passes the SOPS config schema; its recipient is left for bootstrap', () => {
    const plan = renderPlatform(REPO_ROOT, 'example');
    const sops = parse(plan.files.get('.sops.yaml')!);
    expect(validate(sops), describeErrors(validate.errors).join('; ')).toBe(true);
    expect(sops).toEqual({ creation_rules: [{ path_regex: '\\.secret\\.yaml$', encrypted_regex: '^(data|stringData)$', age: null }] });
    // The file bootstrap writes (public key filled in) passes too; two selectors in one rule do not.
    expect(validate(creationRules('age1qqqq'))).toBe(true);
    expect(validate({ creation_rules: [{ path_regex: 'x', encrypted_regex: 'a', unencrypted_regex: 'b' }] })).toBe(false);
    expect(plan.lockFiles['.sops.yaml']).toBeDefined();
  });

  it('uses a given public key, derives the region from the endpoint, and publishes no key material', () => {
    const key = `age1${'q'.repeat(58)}`;
    const out = render(
      { s3_endpoint: 'https://nbg1.your-objectstorage.com/', s3_bucket_name: 'acme-keys', age_public_key: key, argocd_namespace: 'argocd' },
      { name: 'prod', organization: 'acme' },
      {},
      { template: () => '' },
    );
    expect(parse(out.files['.sops.yaml']!).creation_rules[0].age).toBe(key);
    expect(out.capabilities).toEqual({
      'secrets-management': {
        provider: 'sops-age',
        bucket: 'acme-keys',
        sops_config: '.sops.yaml',
        sops_config_state_file: 'ksops/.sops.yaml',
        key_secret: { namespace: 'argocd', name: 'sops-age', key: 'keys.txt' },
      },
    });
    expect(out.scriptContext?.['age-key']).toMatchObject({
      s3: { endpoint: 'https://nbg1.your-objectstorage.com', region: 'nbg1', bucket: 'acme-keys' },
      backup_key: 'ztc/acme/prod/age.key',
    });
    expect(regionOf('https://fsn1.your-objectstorage.com')).toBe('fsn1');
  });
});
