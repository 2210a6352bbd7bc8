/**
 * The private dir as one object of the state backend, the way OpenTofu encrypts state: a tar of the dir,
 * encrypted on this machine with age (the age-encryption package, by age's author: no binary needed) to
 * the recipients platform.yaml lists. Only ciphertext leaves the machine; decrypting needs the identity
 * of one recipient, from the environment (ZTC_STATE_AGE_IDENTITY: a file; ZTC_STATE_AGE_KEY: the key).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import { importEsm } from '../util/import-esm';
import { listFiles } from '../util/list-files';
import { STATE_AGE_IDENTITY_FILE, STATE_AGE_KEY } from './config';
import type * as AgeModule from 'age-encryption' with { 'resolution-mode': 'import' };

type Age = typeof AgeModule;

let age: Promise<Age> | undefined;
const loadAge = (): Promise<Age> => (age ??= importEsm<Age>('age-encryption'));

/** nanotar, required on first use (only an s3 platform with state.private_dir needs it). */
const tar = (): typeof import('nanotar') => require('nanotar') as typeof import('nanotar');

/** Files of the private dir (hidden ones too), relative, sorted. */
export function privateFiles(dir: string): string[] {
  return listFiles(dir, { skip: () => false });
}

/** Whether the dir is missing or holds no file. */
export function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || privateFiles(dir).length === 0;
}

/** A tar of the dir's files (mode kept; no time, owner or folder entries). */
export function tarDir(dir: string): Uint8Array {
  return tar().createTar(
    privateFiles(dir).map((name) => {
      const abs = join(dir, name);
      return { name, data: readFileSync(abs), attrs: { mode: (lstatSync(abs).mode & 0o700).toString(8).padStart(3, '0'), mtime: 0, uid: 0, gid: 0 } };
    }),
  );
}

/** The files of a tar made by tarDir; names that could leave the dir are refused. */
export function untar(data: Uint8Array): { name: string; data: Uint8Array; mode: number }[] {
  return tar()
    .parseTar(data)
    .filter((f) => f.type === 'file' || f.type === undefined)
    .map((f) => {
      if (f.name.startsWith('/') || f.name.split('/').some((s) => s === '..' || s === ''))
        throw new ExitError(`the private dir archive holds an unsafe path ${JSON.stringify(f.name)}; not restored`, ExitCode.invalid);
      return { name: f.name, data: f.data ?? new Uint8Array(), mode: parseInt(f.attrs?.mode ?? '600', 8) & 0o700 };
    });
}

/** Write the files into `dir` (0700 folders, owner-only files); `onlyMissing` keeps files that exist. @returns the names written */
export function writeFiles(dir: string, files: readonly { name: string; data: Uint8Array; mode: number }[], onlyMissing: boolean): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const written: string[] = [];
  for (const f of files) {
    const abs = join(dir, f.name);
    if (onlyMissing && existsSync(abs)) continue;
    mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
    writeFileSync(abs, f.data, { mode: f.mode || 0o600 });
    chmodSync(abs, f.mode || 0o600);
    written.push(f.name);
  }
  return written;
}

export async function encryptTo(recipients: readonly string[], plaintext: Uint8Array): Promise<Buffer> {
  const { Encrypter } = await loadAge();
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return Buffer.from(await e.encrypt(plaintext));
}

/**
 * The age identities the environment gives (AGE-SECRET-KEY-1… lines), with where they came from; [] when
 * none is set. A variable that is set but holds no identity (a recipient `age1…` pasted instead) is
 * refused (exit 3), naming the variable, never its value: else a run would ask for the variable it has.
 */
export function ageIdentities(env: NodeJS.ProcessEnv): { keys: string[]; from: string } {
  if (env[STATE_AGE_KEY]) return withKeys(identityLines(env[STATE_AGE_KEY]), STATE_AGE_KEY);
  const file = env[STATE_AGE_IDENTITY_FILE];
  if (!file) return { keys: [], from: '' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExitError(
      `${STATE_AGE_IDENTITY_FILE}=${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): point it at the age identity file (age-keygen's output)`,
      ExitCode.invalid,
    );
  }
  return withKeys(identityLines(text), `${STATE_AGE_IDENTITY_FILE} (${file})`);
}

function withKeys(keys: string[], from: string): { keys: string[]; from: string } {
  if (keys.length > 0) return { keys, from };
  throw new ExitError(
    `${from} holds no age identity (no AGE-SECRET-KEY-1… line; an age1… recipient is the public half): set it to the identity of one of state.private_dir.encrypt_to (age-keygen's output)`,
    ExitCode.invalid,
  );
}

function identityLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
}

/** Decrypt with the given identities; exit 3 when none of them is a recipient. */
export async function decryptWith(keys: readonly string[], from: string, ciphertext: Uint8Array, what: string): Promise<Uint8Array> {
  const { Decrypter } = await loadAge();
  const d = new Decrypter();
  for (const k of keys) d.addIdentity(k);
  try {
    return await d.decrypt(ciphertext);
  } catch (e) {
    throw new ExitError(
      `${what} could not be decrypted with the identity of ${from} (${(e as Error).message}): use the identity of one of state.private_dir.encrypt_to`,
      ExitCode.invalid,
    );
  }
}
