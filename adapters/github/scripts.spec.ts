/**
 * The github pre-flight's reading of GitHub's answers, with a stand-in curl: an answer that is not the
 * expected JSON is reported as such, never as an HTTP status it was not (jq's exit codes must not be read
 * as ztc::api's). The whole flow against a faithful API is the simulation's (tools/sim).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const key = execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

describe('github/check-health', () => {
  it('a 201 whose body is not JSON is named as such, not as "App has no installation" (404)', async () => {
    const r = await runAdapterScript({
      script: join(__dirname, 'scripts', 'check-health.sh'),
      context: { app_id: '12345', installation_id: '678', repositories: ['acme/platform'] },
      env: { GITHUB_APP_PRIVATE_KEY: key, GITHUB_API_URL: 'https://github.example.test/api/v3' },
      tools: {
        // ztc::api's curl: headers (-D -), the body, then the status (-w '\n%{http_code}').
        curl: `printf 'HTTP/1.1 201 Created\\r\\nContent-Type: text/html\\r\\n\\r\\n<html>proxy login</html>\\n201'`,
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('has no installation');
    expect(r.stderr).toContain('answered the installation token request without a token');
  });
});
