/**
 * The `state:` section of platform.yaml: where bootstrap keeps receipts, ZTC_STATE_DIR and the run lock
 * (docs/operations.md). `local` (the default) is `platforms/<p>/.ztc/` of the checkout; `s3` is a bucket
 * every machine that runs bootstrap shares. The section is not an adapter input: it changes no rendered
 * file, only lock.json's platform hash. Credentials never come from platform.yaml, only from the
 * environment, and are kept from every step (they are not the steps' secrets).
 *
 * This module is light on purpose (no S3 client): `local` platforms never load more than this.
 */
import { readFileSync } from 'node:fs';
import { PLATFORM_FILE } from '../constants';
import { ConfigError, ExitCode, ExitError } from '../errors';
import { readPlatformShape } from '../platform/read-platform';
import { platformPath } from '../workspace/workspace';
import { isHttpUrl, stateIssues } from './issues';

export interface LocalStateConfig {
  backend: 'local';
}

export interface S3StateConfig {
  backend: 's3';
  bucket: string;
  /** Key prefix without a trailing slash (default `platforms/<platform>`). */
  prefix: string;
  /** Endpoint URL without a trailing slash: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else `state.endpoint`, else AWS S3 of the region. */
  endpoint: string;
  region: string;
  /** age recipients the private dir is encrypted to; absent: the private dir stays on this machine only. */
  encryptTo?: string[];
  /** Workspace-relative platform.yaml, for messages. */
  file: string;
}

export type StateConfig = LocalStateConfig | S3StateConfig;

/** Credentials of the s3 backend, in the order they are looked for: ztc's own names, then the AWS tools' ones. */
export const STATE_S3_KEYS = [
  { access: 'ZTC_STATE_S3_ACCESS_KEY', secret: 'ZTC_STATE_S3_SECRET_KEY', token: 'ZTC_STATE_S3_SESSION_TOKEN' },
  { access: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY', token: 'AWS_SESSION_TOKEN' },
] as const;
/** The identity that decrypts the private dir kept in the backend: a file (like SOPS_AGE_KEY_FILE), or the key itself (CI secrets). */
export const STATE_AGE_IDENTITY_FILE = 'ZTC_STATE_AGE_IDENTITY';
export const STATE_AGE_KEY = 'ZTC_STATE_AGE_KEY';
/** ztc's own state secrets: never given to a step, whatever the backend. */
const OWN_SECRET_VARS = ['ZTC_STATE_S3_ACCESS_KEY', 'ZTC_STATE_S3_SECRET_KEY', 'ZTC_STATE_S3_SESSION_TOKEN', STATE_AGE_KEY];

/** The platform's state backend settings (platform.yaml read and checked; exit 3 on a problem). */
export function readStateConfig(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv): StateConfig {
  const file = `${platformPath(workspaceRoot, platform)}/${PLATFORM_FILE}`;
  const { data } = readPlatformShape(workspaceRoot, file);
  const state = data.state;
  const issues = stateIssues(state, file);
  if (issues.length > 0) throw new ConfigError(issues);
  if (!state || (state.backend ?? 'local') === 'local') return { backend: 'local' };
  const region = String(state.region);
  const override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (override && !isHttpUrl(override)) {
    throw new ExitError(
      `${env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL'} is not an http(s) URL (${JSON.stringify(override)}); unset it to use state.endpoint of ${file}`,
      ExitCode.invalid,
    );
  }
  const endpoint = (override || (state.endpoint as string | undefined) || `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '');
  const encryptTo = (state.private_dir as { encrypt_to?: string[] } | undefined)?.encrypt_to;
  return {
    backend: 's3',
    bucket: String(state.bucket),
    prefix: (state.prefix as string | undefined) ?? `platforms/${platform}`,
    endpoint,
    region,
    ...(encryptTo && { encryptTo }),
    file,
  };
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The variables they came from (for messages). */
  from: { access: string; secret: string };
}

/** The s3 backend's credentials from the environment (exit 3 naming the variables when there are none). */
export function s3Credentials(env: NodeJS.ProcessEnv, config: S3StateConfig): S3Credentials {
  for (const names of STATE_S3_KEYS) {
    const access = env[names.access];
    const secret = env[names.secret];
    if (access && secret)
      return { accessKeyId: access, secretAccessKey: secret, ...(env[names.token] && { sessionToken: env[names.token] }), from: { access: names.access, secret: names.secret } };
    if (access || secret) {
      throw new ExitError(
        `${access ? names.secret : names.access} is not set, but ${access ? names.access : names.secret} is: the state backend s3://${config.bucket}/${config.prefix} needs both; export the pair (never in platform.yaml)`,
        ExitCode.invalid,
        { code: 'missing_secret' },
      );
    }
  }
  throw new ExitError(
    `the state backend of ${config.file} is s3://${config.bucket}/${config.prefix}, but no credentials for it are set: export ZTC_STATE_S3_ACCESS_KEY and ZTC_STATE_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) with read and write access to the bucket (docs/operations.md)`,
    ExitCode.invalid,
    { code: 'missing_secret' },
  );
}

/**
 * Variables that hold the state backend's secrets in `env` (names and values): kept from every step
 * and masked in everything printed. ztc's own names always; the AWS pair when the s3 backend uses it;
 * ZTC_STATE_AGE_IDENTITY (kept from steps), with the identities its file holds as values.
 */
export function stateSecrets(env: NodeJS.ProcessEnv, config: StateConfig): { names: string[]; values: string[] } {
  const names = [...OWN_SECRET_VARS];
  if (config.backend === 's3' && !env.ZTC_STATE_S3_ACCESS_KEY && env.AWS_ACCESS_KEY_ID) names.push('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN');
  const values = names.map((n) => env[n]).filter((v): v is string => !!v);
  // The identity file's path is no secret, but a step has no use for it: kept from steps; its keys are masked.
  names.push(STATE_AGE_IDENTITY_FILE);
  values.push(...identityFileKeys(env[STATE_AGE_IDENTITY_FILE]));
  return { names, values };
}

/** The AGE-SECRET-KEY lines of the identity file, or none when it is unset or cannot be read (private-archive.ts says why, where it is used). */
function identityFileKeys(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  } catch {
    return [];
  }
}
