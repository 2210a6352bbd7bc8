/**
 * The checks of platform.yaml's `state:` section beyond its schema (which fields go with which backend,
 * names S3 accepts, age recipients), as issues naming the field, the expectation and the fix. Run by
 * every reader of platform.yaml (render, validate, plan, bootstrap), so a mistake shows before a run.
 */
import type { Issue } from '../errors';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const REGION = /^[a-z0-9][a-z0-9-]*$/;
/** An age X25519 (or post-quantum hybrid) recipient: `age1` and bech32 characters. */
const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58,}$/;

const S3_ONLY = ['bucket', 'prefix', 'endpoint', 'region', 'private_dir'] as const;

/** The problems of a `state:` section whose shape the schema accepted (platform.yaml's checks). */
export function stateIssues(state: Record<string, unknown> | undefined, file: string): Issue[] {
  if (!state) return [];
  const issues: Issue[] = [];
  const at = (field: string, message: string, hint: string) => issues.push({ file, path: `state.${field}`, message, hint });
  if ((state.backend ?? 'local') === 'local') {
    for (const f of S3_ONLY)
      if (f in state) at(f, `only used with backend: s3 (the backend is ${state.backend ? 'local' : 'local by default'})`, 'add "backend: s3", or remove the field');
    return issues;
  }
  if (typeof state.bucket !== 'string') at('bucket', 'missing: the s3 backend needs a bucket', 'add "bucket: <name>" (an existing, private bucket)');
  else if (!BUCKET.test(state.bucket) || state.bucket.includes('..'))
    at('bucket', `not a bucket name: ${JSON.stringify(state.bucket)} (3-63 lower-case letters, digits, dots and hyphens)`, 'use the bucket name as your object storage shows it');
  if (typeof state.region !== 'string')
    at('region', 'missing: requests to S3 are signed for a region', 'add "region: <region>" (e.g. fsn1 for Hetzner Falkenstein, eu-central-1 on AWS)');
  else if (!REGION.test(state.region)) at('region', `not a region: ${JSON.stringify(state.region)}`, 'use the region of the bucket, e.g. fsn1 or eu-central-1');
  if (typeof state.prefix === 'string' && !PREFIX.test(state.prefix)) {
    at(
      'prefix',
      `not a key prefix: ${JSON.stringify(state.prefix)} (segments of letters, digits, "_", "." and "-" joined by "/", no leading or trailing "/")`,
      'e.g. "platforms/prod"',
    );
  }
  if (typeof state.endpoint === 'string' && !isHttpUrl(state.endpoint))
    at('endpoint', `not an http(s) URL: ${JSON.stringify(state.endpoint)}`, 'e.g. "https://fsn1.your-objectstorage.com", or remove it for AWS S3');
  const pd = state.private_dir as { encrypt_to?: unknown[] } | undefined;
  if (pd) {
    const to = pd.encrypt_to ?? [];
    if (to.length === 0)
      at(
        'private_dir.encrypt_to',
        'missing: the private dir is only kept in the bucket encrypted, to at least one age recipient',
        'add "encrypt_to: [age1...]" (age-keygen -y <identity file> prints a recipient), or remove private_dir',
      );
    to.forEach((r, i) => {
      if (typeof r !== 'string' || !AGE_RECIPIENT.test(r))
        at(
          `private_dir.encrypt_to[${i}]`,
          `not an age recipient: ${JSON.stringify(r)} (expected age1...)`,
          'use the public key age-keygen prints ("Public key: age1..."), never the AGE-SECRET-KEY',
        );
    });
  }
  return issues;
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash && !u.username;
  } catch {
    return false;
  }
}
