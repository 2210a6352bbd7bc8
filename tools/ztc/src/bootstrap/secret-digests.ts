/**
 * Keyed digests of the secrets a step receives, so that a receipt notices a rotated secret without
 * holding anything a value could be recovered from (CONTRACT §6 resume). Each digest is an
 * HMAC-SHA256 of the value under a per-platform key: 32 random bytes in `$ZTC_PRIVATE_DIR/receipt-hmac.key`
 * (0600), made by the first real run and never kept in the workspace. Without the key a digest cannot
 * be recomputed, so receipts, plan output and the Nx cache say nothing about a value, not even whether
 * two platforms share one: never a plain hash, which a guessed value could be checked against.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, ExitError } from '../errors';

/** File name of the digest key inside the private dir. */
export const RECEIPT_KEY_FILE = 'receipt-hmac.key';
const KEY_BYTES = 32;

/** What the digests of one step's secrets are, as far as they can be known. */
export interface StepSecretDigests {
  /** name → HMAC-SHA256 (hex) of the secrets whose value is set. */
  digests: Record<string, string>;
  /** Names whose value is not set: whether they changed cannot be told. */
  unknown: string[];
  /** True when the step receives a secret and the key is missing (a new machine, a private dir not restored). */
  keyMissing: boolean;
  /** Where the key is (or should be). */
  keyFile: string;
  /** A fingerprint of the key (an HMAC of a fixed text under it; says nothing about any value), when there is a key. */
  keyId?: string;
}

export class SecretDigester {
  private key: Buffer | undefined;

  /**
   * @param privateDir the platform's ZTC_PRIVATE_DIR; the key is read from it (read-only), if there.
   *   Undefined when it cannot be located (plan with an invalid platform.yaml): every secret is unknown.
   * @param env where the values come from (the caller's environment with the `ztc init` secrets file)
   */
  constructor(
    privateDir: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.located = privateDir !== undefined;
    this.keyFile = privateDir === undefined ? RECEIPT_KEY_FILE : join(privateDir, RECEIPT_KEY_FILE);
    this.key = privateDir === undefined ? undefined : readKey(this.keyFile);
  }

  private readonly located: boolean;

  /** Absolute path of the key file (outside the workspace; named in messages). */
  readonly keyFile: string;

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  /**
   * Make the key when there is none (a real run, after the private dir exists): 32 random bytes, 0600,
   * created exclusively so two runs racing never end up with two keys.
   * @returns whether a new key was made
   */
  ensureKey(): boolean {
    if (this.key || !this.located) return false;
    let made = true;
    try {
      writeFileSync(this.keyFile, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      made = false; // another run made it first: that key is the platform's
    }
    this.key = readKey(this.keyFile);
    return made;
  }

  private keyId(key: Buffer): string {
    return createHmac('sha256', key).update(KEY_ID_TEXT).digest('hex').slice(0, 16);
  }

  /** The digests of the secrets `step` receives. */
  of(step: { secret_env: readonly string[] }): StepSecretDigests {
    const result: StepSecretDigests = { digests: {}, unknown: [], keyMissing: false, keyFile: this.keyFile, ...(this.key && { keyId: this.keyId(this.key) }) };
    for (const name of step.secret_env) {
      const value = this.env[name];
      if (!value || !this.located) result.unknown.push(name);
      else if (!this.key) result.keyMissing = true;
      // The name is part of the message: one value given to two names does not show as equal digests.
      else result.digests[name] = createHmac('sha256', this.key).update(`${name}\0${value}`).digest('hex');
    }
    return result;
  }
}

/** Text whose HMAC identifies the key (not a secret name: names are upper case, this is not). */
const KEY_ID_TEXT = 'ztc receipt digest key id';

function readKey(file: string): Buffer | undefined {
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (key.length !== KEY_BYTES) {
    throw new ExitError(
      `${file} is not a receipt digest key (${key.length} bytes, expected ${KEY_BYTES}): restore it from the private dir's backup, or delete it (a new one is made, and the steps that receive secrets run again)`,
      ExitCode.invalid,
    );
  }
  return key;
}

/** Why a secret's digest cannot be given (the stable markers of {@link secretDigestLines}). */
export const DIGEST_UNKNOWN = {
  value: 'unknown: no value here',
  key: 'unknown: no digest key',
  unreadable: 'unknown: the digest key, private dir or secrets file cannot be read',
} as const;

/**
 * What the Nx stage targets hash for the secrets of a stage (`ztc plan <p> --stage <s> --secret-digests`,
 * a `runtime` input): one line per secret name, sorted, `NAME <the receipt's HMAC>`, or `NAME` and a
 * stable marker when the value or the key is missing. The same keyed digest the receipts hold, so Nx sees
 * a rotation exactly when bootstrap would, and its task hashes learn nothing more than the receipts
 * (which its cache holds anyway): never a value, never a plain hash of one.
 */
export function secretDigestLines(digester: SecretDigester, names: Iterable<string>): string[] {
  const sorted = [...new Set(names)].sort();
  const { digests, unknown } = digester.of({ secret_env: sorted });
  return sorted.map((n) => `${n} ${digests[n] ?? (unknown.includes(n) ? DIGEST_UNKNOWN.value : DIGEST_UNKNOWN.key)}`);
}
