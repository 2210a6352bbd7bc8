/**
 * `ztc init` without prompts: answers file, --set and ZTC_<ADAPTER>_<FIELD> give the same bytes for the
 * same values; precedence; every missing or invalid input at once (exit 3, nothing written), also when
 * there is simply no terminal; secrets only from the environment; re-runs change nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANARY, initWorkspace } from '../../testing/init-workspace';
import { runBin } from '../../testing/run-bin';
import { runCli } from '../../testing/run-cli';
import { EXPECTED_YAML } from '../../testing/init-workspace';

const ANSWERS = `platform: { organization: acme, app_name: acme-prod }
adapters:
  hetzner: { server_ips: [203.0.113.10, 203.0.113.11] }
  talos: { cluster_name: prod }
`;
const SET = [
  '--set',
  'platform.organization=acme',
  '--set',
  'platform.app_name=acme-prod',
  '--set',
  'hetzner.server_ips=203.0.113.10,203.0.113.11',
  '--set',
  'talos.cluster_name=prod',
];
const ENV = { ZTC_PLATFORM_ORGANIZATION: 'acme', ZTC_PLATFORM_APP_NAME: 'acme-prod', ZTC_HETZNER_SERVER_IPS: '203.0.113.10, 203.0.113.11', ZTC_TALOS_CLUSTER_NAME: 'prod' };

describe('ztc init, non-interactive', () => {
  it('gives byte-identical platform.yaml from an answers file, --set flags and env vars', async () => {
    const texts: string[] = [];
    for (const [args, env] of [
      [['--answers', 'answers.yaml'], {}],
      [SET, {}],
      [[], ENV],
    ] as [string[], Record<string, string>][]) {
      const ws = initWorkspace({ 'answers.yaml': ANSWERS });
      const r = await runCli(['init', 'prod', '--non-interactive', ...args], ws.root, { ...ws.env, ...env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      texts.push(ws.read('platforms/prod/platform.yaml'));
    }
    expect(texts[0]).toBe(EXPECTED_YAML);
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
  });

  it('applies precedence --set > env > answers > platform.yaml', async () => {
    const ws = initWorkspace({ 'answers.yaml': `${ANSWERS}  cilium: { version: v1.18.0 }\n` });
    await runCli(['init', 'prod', '--non-interactive', '--answers', 'answers.yaml'], ws.root, ws.env);
    expect(ws.read('platforms/prod/platform.yaml')).toContain('version: v1.18.0');
    const r = await runCli(['init', 'prod', '--non-interactive', '--answers', 'answers.yaml', '--set', 'cilium.version=v1.18.1'], ws.root, {
      ...ws.env,
      ZTC_CILIUM_VERSION: 'v1.19.0',
      ZTC_CILIUM_HUBBLE_ENABLED: 'no',
    });
    expect(r.code).toBe(0);
    const text = ws.read('platforms/prod/platform.yaml');
    expect(text).toContain('cilium:\n    version: v1.18.1\n    hubble_enabled: false\n');
    expect(r.stdout).toContain('-    version: v1.18.0\n+    version: v1.18.1\n+    hubble_enabled: false');
  });

  it('lists every missing and invalid input at once and writes nothing (exit 3), also with no terminal at all', async () => {
    const ws = initWorkspace();
    const args = ['init', 'prod', '--set', 'talos.version=1.11', '--set', 'hetzner.server_ips=203.0.113.10,not-an-ip', '--set', 'cilium.nope=1'];
    const r = await runCli([...args, '--non-interactive'], ws.root, ws.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: invalid configuration (8 problems):');
    for (const line of [
      '--set: cilium.nope: unknown field "nope" of adapter cilium',
      'platforms/prod/platform.yaml: platform.organization: missing required input',
      'platforms/prod/platform.yaml: platform.app_name: missing required input',
      '--set: hetzner.server_ips[1]: must match format "ipv4", got string "not-an-ip"',
      '--set: talos.version: must match pattern ^v1\\.\\d+\\.\\d+$, got string "1.11"',
      'platforms/prod/platform.yaml: adapters.talos.cluster_name: missing required input (Cluster name (lowercase letters, digits, hyphens); string matching ^[a-z0-9][a-z0-9-]*$)',
      'fix: --set talos.cluster_name=…, env ZTC_TALOS_CLUSTER_NAME, or adapters.talos.cluster_name in the --answers file',
      'platforms/prod/platform.yaml: adapters.talos.cluster_endpoint: missing required input',
      'platforms/prod/platform.yaml: adapters.talos.nodes: missing required input',
    ])
      expect(r.stderr).toContain(line);
    expect(existsSync(ws.path('platforms/prod'))).toBe(false);
    // The real bin with stdin and stdout not a terminal: never prompts, same answer.
    const bin = await runBin(args, ws.root, ws.env);
    expect(bin.code).toBe(3);
    expect(bin.stderr).toBe(`${r.stderr}\n`);
  });

  it('takes secrets only from ZTC_<ADAPTER>_<FIELD> into the secrets file, never from flags or files', async () => {
    const ws = initWorkspace({ 'answers.yaml': `${ANSWERS.replace('[203.0.113.10, 203.0.113.11]', '[203.0.113.10, 203.0.113.11], hcloud_api_token: abc')}` });
    const refused = await runCli(['init', 'prod', '--non-interactive', '--answers', 'answers.yaml', '--set', 'hetzner.hetzner_dns_token=abc'], ws.root, ws.env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('answers.yaml: adapters.hetzner.hcloud_api_token: secrets are not taken from flags or files');
    expect(refused.stderr).toContain('--set: hetzner.hetzner_dns_token: secrets are not taken from flags or files');
    const bad = await runCli(['init', 'prod', '--non-interactive', ...SET], ws.root, { ...ws.env, ZTC_HETZNER_HCLOUD_API_TOKEN: 'short-secret-value' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('env ZTC_HETZNER_HCLOUD_API_TOKEN: adapters.hetzner.hcloud_api_token: must match pattern ^[A-Za-z0-9]{64}$');
    expect(bad.stderr).not.toContain('short-secret-value');
    const ok = await runCli(['init', 'prod', '--non-interactive', ...SET], ws.root, { ...ws.env, ZTC_HETZNER_HCLOUD_API_TOKEN: CANARY });
    expect(ok.code).toBe(0);
    // The DNS token is legacy (x-ztc-legacy, unused): no reminder to store it.
    expect(ok.stdout).not.toContain('HETZNER_DNS_TOKEN');
    expect(readFileSync(ws.secretsFile, 'utf8')).toContain(`HCLOUD_TOKEN=${CANARY}`);
    expect(ws.read('platforms/prod/platform.yaml')).not.toContain(CANARY);
  });

  it('moves a secret found in platform.yaml into the secrets file; a re-run then changes nothing', async () => {
    const ws = initWorkspace();
    await runCli(['init', 'prod', '--non-interactive', ...SET], ws.root, ws.env);
    ws.write('platforms/prod/platform.yaml', ws.read('platforms/prod/platform.yaml').replace('  hetzner:\n', `  hetzner:\n    hcloud_api_token: ${CANARY}\n`));
    const r = await runCli(['init', 'prod', '--non-interactive'], ws.root, ws.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('moved adapters.hetzner.hcloud_api_token out of platform.yaml into the secrets file');
    expect(ws.read('platforms/prod/platform.yaml')).toBe(EXPECTED_YAML);
    const mtime = statSync(ws.path('platforms/prod/platform.yaml')).mtimeMs;
    const again = await runCli(['init', 'prod', '--non-interactive'], ws.root, ws.env);
    expect(again.stdout).toContain('platforms/prod/platform.yaml: up to date.');
    expect(again.stdout).not.toContain('Wrote');
    expect(statSync(ws.path('platforms/prod/platform.yaml')).mtimeMs).toBe(mtime);
  });

  it('names unknown adapters and platforms as usage or input errors', async () => {
    const ws = initWorkspace();
    const r = await runCli(['init', 'prod', '--non-interactive', '--set', 'hetzer.location=fsn1', '--set', 'nonsense'], ws.root, ws.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--set: hetzer.location: unknown adapter "hetzer"\n    fix: did you mean "hetzner"?');
    expect(r.stderr).toContain('--set: nonsense: expected adapter.field=value');
    expect((await runCli(['init', '--non-interactive'], ws.root, ws.env)).code).toBe(64);
    expect((await runCli(['init', 'Bad Name', '--non-interactive'], ws.root, ws.env)).code).toBe(64);
  });
});
