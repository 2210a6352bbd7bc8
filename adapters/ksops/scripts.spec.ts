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
