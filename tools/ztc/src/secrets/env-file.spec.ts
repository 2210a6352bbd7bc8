import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../testing/temp-workspace';
import { runBin } from '../../testing/run-bin';
import { assertOutsideWorkspace, parseEnvFile, readEnvFile, secretsFilePath, serializeEnvFile, updateEnvFile, withSecretsFile } from './env-file';
import { envWithPlatformSecrets, platformSecretsFile } from './platform-secrets';

describe('secrets file', () => {
  it('lives in the config dir per organization, app and platform; ZTC_SECRETS_FILE overrides it', () => {
    expect(secretsFilePath({ HOME: '/home/u' }, { platform: 'prod', organization: 'acme', app_name: 'shop' })).toBe('/home/u/.config/ztc/acme/shop/prod.env');
    expect(secretsFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, { platform: 'prod' })).toBe('/cfg/ztc/_/_/prod.env');
    expect(secretsFilePath({ HOME: '/home/u', ZTC_SECRETS_FILE: '/x/s.env' }, { platform: 'prod' })).toBe('/x/s.env');
    expect(secretsFilePath({ HOME: '/h' }, { platform: 'p', organization: '../evil', app_name: 'a' })).toBe('/h/.config/ztc/_/a/p.env');
  });

  it('round-trips multi-line and special values', () => {
    const vars = new Map([
      ['B', 'plain-value_1'],
      ['A', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n'],
      ['C', 'has space #and hash'],
    ]);
    const text = serializeEnvFile(vars);
    expect(text).toContain('B=plain-value_1\n');
    expect(text).toContain('A="-----BEGIN KEY-----\\nabc');
    expect(parseEnvFile(text, 'f')).toEqual(vars);
    expect(() => parseEnvFile('not a line\n', 'f.env')).toThrow('f.env: line 1: expected NAME=value');
  });

  it('writes 0600 in a 0700 folder, merges updates, and refuses a file others can read', () => {
    const file = `${tempWorkspace().root}/cfg/ztc/acme/shop/p.env`;
    expect(updateEnvFile(file, new Map([['T', 'one']]))).toBe(true);
    expect(updateEnvFile(file, new Map([['U', 'two']]))).toBe(true);
    expect(updateEnvFile(file, new Map([['U', 'two']]))).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(readEnvFile(file)).toEqual(
      new Map([
        ['T', 'one'],
        ['U', 'two'],
      ]),
    );
    chmodSync(file, 0o644);
    expect(() => readEnvFile(file)).toThrow('chmod 600');
  });

  it('never lies inside the workspace', () => {
    expect(() => assertOutsideWorkspace('/w/platforms/p/s.env', '/w')).toThrow('inside the workspace');
    expect(() => assertOutsideWorkspace('/elsewhere/s.env', '/w')).not.toThrow();
  });

  it('completes the environment: a set variable wins over the file', () => {
    const env = withSecretsFile(
      { A: 'env', B: '' },
      new Map([
        ['A', 'file'],
        ['B', 'file'],
        ['C', 'file'],
      ]),
    );
    expect(env).toMatchObject({ A: 'env', B: 'file', C: 'file' });
  });

  it('is found from platform.yaml metadata, and bootstrap reads it (environment wins)', async () => {
    const ws = tempWorkspace({
      'adapters/vault/adapter.yaml':
        'name: vault\nversion: 1.0.0\ndescription: d\nscripts:\n  bootstrap:\n    - { file: scripts/s.sh, description: s, secret_env: [VAULT_TOKEN] }\n',
      'adapters/vault/scripts/s.sh': '#!/usr/bin/env bash\nset -euo pipefail\necho "token length ${#VAULT_TOKEN}"\n',
      'platforms/p/platform.yaml': 'version: "1.0"\nplatform: { organization: acme, app_name: shop }\nadapters:\n  vault: {}\n',
    });
    const cfg = `${tempWorkspace().root}/cfg`;
    expect(platformSecretsFile(ws.root, 'p', { HOME: '/h', XDG_CONFIG_HOME: cfg })).toBe(`${cfg}/ztc/acme/shop/p.env`);
    expect((await runBin(['render', 'p'], ws.root)).code).toBe(0);
    const env = { XDG_CONFIG_HOME: cfg, ZTC_SECRETS_FILE: '', VAULT_TOKEN: '', ZTC_PRIVATE_DIR: `${cfg}-private` };
    expect((await runBin(['bootstrap', 'p', '--dry-run'], ws.root, env)).stderr).toContain('VAULT_TOKEN');
    mkdirSync(`${cfg}/ztc/acme/shop`, { recursive: true });
    writeFileSync(`${cfg}/ztc/acme/shop/p.env`, 'VAULT_TOKEN=from-file-123\n', { mode: 0o600 });
    const fromFile = await runBin(['bootstrap', 'p'], ws.root, env);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('token length 13');
    const fromEnv = await runBin(['bootstrap', 'p', '--fresh'], ws.root, { ...env, VAULT_TOKEN: 'env-wins' });
    expect(fromEnv.stdout).toContain('token length 8');
    expect(readFileSync(`${cfg}/ztc/acme/shop/p.env`, 'utf8')).toBe('VAULT_TOKEN=from-file-123\n');
    // Only secrets the pipeline declares are taken from the file: others would reach every step unmasked.
    writeFileSync(`${cfg}/ztc/acme/shop/p.env`, 'VAULT_TOKEN=t\nOTHER_TOKEN=o\n', { mode: 0o600 });
    const merged = envWithPlatformSecrets(ws.root, 'p', { XDG_CONFIG_HOME: cfg }, new Set(['VAULT_TOKEN']));
    expect(merged).toEqual({ XDG_CONFIG_HOME: cfg, VAULT_TOKEN: 't' });
  });
});
