/**
 * The ksops scripts' S3 requests, with a stand-in curl: they go through the engine's one retry loop
 * (ztc::retry), and a failure ends the step with the ERROR that says what to do (ztc::http_fail). The
 * whole flow against a faithful object storage is the simulation's (tools/sim).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const context = { s3: { endpoint: 'https://fsn1.s3.example.test', region: 'fsn1', bucket: 'acme-secrets' } };
const env = { S3_ACCESS_KEY: 'access', S3_SECRET_KEY: 'secret-key-value' };

/** s3.sh's curl (-o OUT -w '%{http_code}'): the status for each request, in order, from `statuses`. */
function curl(statuses: string[]): string {
  return `n=$(($(wc -l <"$HOME/curl.count" 2>/dev/null || echo 0)))
echo x >>"$HOME/curl.count"
statuses=(${statuses.join(' ')})
prev=''
for a in "$@"; do [[ $prev == -o ]] && : >"$a"; prev=$a; done
printf '%s' "\${statuses[n]:-\${statuses[-1]}}"`;
}

describe('ksops/check-health', () => {
  it('a 503 from the bucket is tried again by the one retry loop, then the write probe goes through', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'check-health.sh'), context, env, tools: { curl: curl(['503', '200', '200', '204']) } });
    expect(r.stderr).toBe('HEAD s3://acme-secrets/: HTTP 503, retrying in 0.05 s (1/6)\n');
    expect(r.stdout).toBe('bucket acme-secrets at https://fsn1.s3.example.test exists and the credentials can write to it\n');
    expect(r.code).toBe(0);
    expect(r.calls.join('\n')).not.toContain('secret-key-value');
  });

  it('a 403 is not retried: one ERROR saying which credentials to make', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'check-health.sh'), context, env, tools: { curl: curl(['403']) } });
    expect(r.code).toBe(1);
    expect(r.calls).toHaveLength(1);
    expect(r.stderr).toBe(
      'ERROR: S3 refused access to the bucket in bucket acme-secrets (403): S3_ACCESS_KEY/S3_SECRET_KEY may not read and write it. Create credentials for this bucket (Hetzner Console > Object Storage > Credentials) and export them\n',
    );
  });

  it('no answer after the last attempt: the ERROR names the endpoint and what to check', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'check-health.sh'), context, env: { ...env, ZTC_API_ATTEMPTS: '2' }, tools: { curl: 'exit 7' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        'HEAD s3://acme-secrets/: no answer, retrying in 0.05 s (1/2)',
        'HEAD s3://acme-secrets/: no answer after 2 attempts',
        "ERROR: the object storage at https://fsn1.s3.example.test did not answer access to the bucket: check ksops.s3_endpoint and this machine's network, then run ztc bootstrap again",
        '',
      ].join('\n'),
    );
  });
});

describe('ksops teardown', () => {
  const purgeContext = { ...context, backup_key: 'ztc/acme/app/demo/age.key' };
  const purge = (statuses: string[]) =>
    runAdapterScript({ script: join(__dirname, 'scripts', 'teardown', 'purge-key-backup.sh'), context: purgeContext, env, tools: { curl: curl(statuses) } });

  it('purge-key-backup: the backup there is deleted (HEAD 200, DELETE 204)', async () => {
    const r = await purge(['200', '204']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls.map((c) => (c.includes('--head') ? 'HEAD' : c.includes('-X DELETE') ? 'DELETE' : c))).toEqual(['HEAD', 'DELETE']);
    expect(r.stdout).toBe('deleted the Age key backup s3://acme-secrets/ztc/acme/app/demo/age.key\n');
    expect(r.calls.join('\n')).not.toContain('secret-key-value');
  });

  it('purge-key-backup: no backup is fine, nothing deleted; a refusal is an ERROR saying which credentials to make', async () => {
    const absent = await purge(['404']);
    expect(absent.code).toBe(0);
    expect(absent.calls).toHaveLength(1);
    expect(absent.stdout).toContain('no Age key backup at s3://acme-secrets/ztc/acme/app/demo/age.key: nothing to delete');
    const refused = await purge(['200', '403']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERROR: S3 refused deleting the key backup ztc/acme/app/demo/age.key in bucket acme-secrets (403)');
  });

  it('delete-age-secret: deletes the Secret (absent is fine); a cluster whose API does not answer is passed over with a WARNING', async () => {
    const script = join(__dirname, 'scripts', 'teardown', 'delete-age-secret.sh');
    const secretContext = { secret: { namespace: 'argocd', name: 'sops-age', key: 'keys.txt' } };
    const up = await runAdapterScript({ script, context: secretContext, privateFiles: { kubeconfig: 'apiVersion: v1\n' }, tools: { kubectl: 'exit 0' } });
    expect(up.code, up.stderr).toBe(0);
    expect(up.calls).toContain('kubectl delete secret sops-age --namespace argocd --ignore-not-found');
    const down = await runAdapterScript({ script, context: secretContext, privateFiles: { kubeconfig: 'apiVersion: v1\n' }, tools: { kubectl: 'exit 1' } });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain("WARNING: the cluster's API does not answer");
    expect(down.calls.filter((c) => c.includes('delete'))).toEqual([]);
  });
});
