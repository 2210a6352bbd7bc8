/** The s3 backend's credentials and endpoint come from the environment: what a user is told when they are wrong. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { s3Credentials, stateSecrets, type S3StateConfig } from './config';

const config: S3StateConfig = {
  backend: 's3',
  bucket: 'acme-ztc-state',
  prefix: 'platforms/prod',
  endpoint: 'https://fsn1.example',
  region: 'fsn1',
  file: 'platforms/prod/platform.yaml',
};

describe('the s3 state backend credentials', () => {
  it('prefer ztc’s own pair over the AWS one', () => {
    const env = { ZTC_STATE_S3_ACCESS_KEY: 'ztc-a', ZTC_STATE_S3_SECRET_KEY: 'ztc-s', AWS_ACCESS_KEY_ID: 'aws-a', AWS_SECRET_ACCESS_KEY: 'aws-s' };
    expect(s3Credentials(env, config)).toMatchObject({ accessKeyId: 'ztc-a', secretAccessKey: 'ztc-s' });
    // The AWS pair is then not the backend's: a step that declares it still receives it.
    expect(stateSecrets(env, config).names).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(stateSecrets({ AWS_ACCESS_KEY_ID: 'aws-a', AWS_SECRET_ACCESS_KEY: 'aws-s' }, config)).toMatchObject({
      names: expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']),
      values: expect.arrayContaining(['aws-a', 'aws-s']),
    });
  });

  it('half set is refused (exit 3) naming the variable that is missing and never a value', () => {
    let err: Error | undefined;
    try {
      s3Credentials({ ZTC_STATE_S3_ACCESS_KEY: 'ztc-a-value', AWS_ACCESS_KEY_ID: 'aws-a', AWS_SECRET_ACCESS_KEY: 'aws-s' }, config);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toMatchObject({ exitCode: 3, message: expect.stringContaining('ZTC_STATE_S3_SECRET_KEY is not set, but ZTC_STATE_S3_ACCESS_KEY is') });
    expect(err?.message).not.toContain('ztc-a-value');
  });

  it('missing altogether are refused (exit 3) naming both pairs and docs/operations.md', () => {
    expect(() => s3Credentials({}, config)).toThrow(
      expect.objectContaining({
        exitCode: 3,
        message: expect.stringMatching(
          /s3:\/\/acme-ztc-state\/platforms\/prod.*export ZTC_STATE_S3_ACCESS_KEY and ZTC_STATE_S3_SECRET_KEY \(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\).*docs\/operations\.md/,
        ),
      }),
    );
  });
});

describe('the state backend secrets kept from steps and masked', () => {
  it('include the age identity a ZTC_STATE_AGE_IDENTITY file holds (masked), and that variable (kept from steps), not its path as a value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztc-state-secrets-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const key = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    writeFileSync(join(dir, 'key.txt'), `# public key: age1xyz\n${key}\n`);
    const secrets = stateSecrets({ ZTC_STATE_AGE_IDENTITY: join(dir, 'key.txt') }, { backend: 'local' });
    expect(secrets.names).toContain('ZTC_STATE_AGE_IDENTITY');
    expect(secrets.values).toEqual([key]);
    // An unreadable file is reported where it is used (private-archive.ts), not here.
    expect(stateSecrets({ ZTC_STATE_AGE_IDENTITY: join(dir, 'missing.txt') }, { backend: 'local' }).values).toEqual([]);
  });
});
