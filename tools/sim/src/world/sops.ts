/**
 * sops, in miniature but for real: values of keys matching the creation rule's encrypted_regex are
 * encrypted with AES-256-GCM under a fresh data key, and the data key is encrypted to the rule's Age
 * recipients with the real `age` tool; decryption needs the matching Age identity (SOPS_AGE_KEY_FILE,
 * SOPS_AGE_KEY or ~/.config/sops/age/keys.txt). The file format follows SOPS (`ENC[AES256_GCM,…]`
 * values and a `sops:` section), so a script that pipes the output on works unchanged. Also used for
 * KSOPS inside the simulated Argo CD repo-server.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { first, parseArgs } from './args';
import { fail, ok, pathIn, type ExecRequest, type ExecResult } from './exec';
import type { Doc } from './world';

const VERSION = '3.13.2';

function age(args: string[], input: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('age', args, { input, encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** The .sops.yaml to use: --config, else the nearest one above the file. */
function findConfig(file: string, explicit: string | undefined): string | undefined {
  if (explicit) return explicit;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.sops.yaml'))) return join(dir, '.sops.yaml');
    if (dirname(dir) === dir) return undefined;
  }
}

function encryptValue(value: unknown, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const type = typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value === 'boolean' ? 'bool' : 'str';
  const data = Buffer.concat([cipher.update(String(value)), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

function decryptValue(text: string, key: Buffer): unknown {
  const m = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:(\w+)\]$/.exec(text);
  if (!m) return text;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2]!, 'base64'));
  decipher.setAuthTag(Buffer.from(m[3]!, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(m[1]!, 'base64')), decipher.final()]).toString();
  return m[4] === 'int' || m[4] === 'float' ? Number(plain) : m[4] === 'bool' ? plain === 'true' : plain;
}

function walk(node: unknown, regex: RegExp, inside: boolean, fn: (v: unknown) => unknown): unknown {
  if (Array.isArray(node)) return node.map((v) => walk(v, regex, inside, fn));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, regex, inside || regex.test(k), fn)]));
  }
  return inside ? fn(node) : node;
}

export function sopsEncrypt(text: string, recipients: string[], encryptedRegex: string): string {
  const doc = parse(text) as Doc;
  const key = randomBytes(32);
  const regex = new RegExp(encryptedRegex);
  const encrypted = walk(doc, regex, false, (v) => encryptValue(v, key)) as Doc;
  const groups = recipients.map((recipient) => {
    const r = age(['-r', recipient, '-a'], key.toString('hex'));
    if (!r.ok) throw new Error(`could not encrypt the data key to ${recipient}: ${r.err.trim()}`);
    return { recipient, enc: r.out };
  });
  encrypted.sops = { age: groups, lastmodified: new Date().toISOString(), mac: encryptValue('mac', key), encrypted_regex: encryptedRegex, version: VERSION };
  return stringify(encrypted);
}

/** Decrypt with the Age identities in `identities` (keys.txt content). */
export function sopsDecrypt(text: string, identities: string): string {
  const doc = parse(text) as Doc;
  const meta = doc?.sops as Doc | undefined;
  if (!meta?.age) throw new Error('sops metadata not found');
  const dir = mkdtempSync(join(tmpdir(), 'ztc-sim-age-'));
  try {
    writeFileSync(join(dir, 'keys.txt'), identities, { mode: 0o600 });
    const got = (meta.age as Doc[]).map((g) => age(['-d', '-i', join(dir, 'keys.txt')], String(g.enc))).find((r) => r.ok);
    if (!got) throw new Error('Error getting data key: 0 successful groups required, got 0');
    const key = Buffer.from(got.out.trim(), 'hex');
    const { sops: _meta, ...rest } = doc;
    void _meta;
    return stringify(walk(rest, /.*/, false, (v) => (typeof v === 'string' ? decryptValue(v, key) : v)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function identities(req: ExecRequest): string | undefined {
  if (req.env.SOPS_AGE_KEY) return req.env.SOPS_AGE_KEY;
  const file = req.env.SOPS_AGE_KEY_FILE ?? (req.env.HOME ? join(req.env.HOME, '.config', 'sops', 'age', 'keys.txt') : undefined);
  return file && existsSync(pathIn(req, file)) ? readFileSync(pathIn(req, file), 'utf8') : undefined;
}

export function sops(_world: unknown, req: ExecRequest): ExecResult {
  const a = parseArgs(
    req.argv.filter((x) => x !== 'encrypt' && x !== 'decrypt'),
    { values: ['config', 'output', 'age', 'encrypted-regex', 'input-type', 'output-type', 'filename-override'], aliases: {} },
  );
  const encrypt = req.argv.includes('--encrypt') || req.argv.includes('-e') || req.argv[0] === 'encrypt';
  const decrypt = req.argv.includes('--decrypt') || req.argv.includes('-d') || req.argv[0] === 'decrypt';
  const file = a.positionals[0];
  if (!file || encrypt === decrypt) return fail('usage: sops [--config FILE] --encrypt|--decrypt FILE (simulated)');
  const path = pathIn(req, file);
  if (!existsSync(path)) return fail(`Error: cannot operate on non-existent file`, 100);
  const text = readFileSync(path, 'utf8');
  try {
    if (decrypt) {
      const ids = identities(req);
      if (!ids) return fail('Failed to get the data key required to decrypt the SOPS file.\n\nGroup 0: FAILED\n  age: no identity found (set SOPS_AGE_KEY_FILE)', 128);
      return ok(sopsDecrypt(text, ids));
    }
    const configFile = findConfig(path, first(a, 'config') ? pathIn(req, first(a, 'config')!) : undefined);
    let recipients = first(a, 'age')?.split(',');
    let regex = first(a, 'encrypted-regex');
    if (!recipients) {
      if (!configFile) return fail('config file not found, or has no creation rules, and no keys provided through command line options', 128);
      const rules = ((parse(readFileSync(configFile, 'utf8')) as Doc)?.creation_rules ?? []) as Doc[];
      const rel = relative(dirname(resolve(configFile)), path);
      const rule = rules.find((r) => !r.path_regex || new RegExp(r.path_regex).test(rel) || new RegExp(r.path_regex).test(path));
      if (!rule) return fail(`error loading config: no matching creation rules found`, 203);
      recipients = (Array.isArray(rule.age) ? rule.age : String(rule.age ?? '').split(',')).map((r: string) => r.trim()).filter(Boolean);
      regex ??= rule.encrypted_regex;
      if (!recipients.length) return fail('Could not generate data key: [no master keys in the matching creation rule (age is empty)]', 1);
    }
    return ok(sopsEncrypt(text, recipients, regex ?? '.*'));
  } catch (e) {
    return fail(`Error: ${(e as Error).message}`, 128);
  }
}
