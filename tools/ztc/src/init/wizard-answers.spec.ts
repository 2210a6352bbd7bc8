/**
 * The wizard as a new user meets it (issue 20): its defaults give a platform that renders, it never
 * rewrites a platform nobody named, it skips questions that are legacy or do not apply, takes a
 * multi-line secret from a file or an editor and checks it, says ranges honestly, and goes back one
 * question on `<`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initWorkspace, type InitWorkspace } from '../../testing/init-workspace';
import { runBin } from '../../testing/run-bin';
import { runCli } from '../../testing/run-cli';
import { answeringPrompter, scriptedPrompter } from '../../testing/scripted-prompter';

/** The repository's adapters, all of them: every selection group has a choice. */
function fullWorkspace(files: Record<string, string> = {}): InitWorkspace {
  const ws = initWorkspace(files);
  for (const a of ['argocd', 'crossplane', 'github', 'ksops']) ws.copyFromRepo(`adapters/${a}`);
  return ws;
}

/** The answers a new platform needs (required inputs without a default); Enter everywhere else. */
const REQUIRED = {
  Organization: 'acme',
  'Application name': 'acme-prod',
  'Public IPv4 addresses': '203.0.113.10, 203.0.113.11',
  'Cluster name': 'prod',
  'GitHub App id': '12345',
  'Installation id': '678',
  'S3-compatible endpoint': 'https://fsn1.your-objectstorage.com',
};

const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

describe('ztc init wizard: answers a new user gives', () => {
  it('with every default taken (Crossplane chosen), writes a platform that renders (exit 0)', async () => {
    const ws = fullWorkspace();
    const p = answeringPrompter({ ...REQUIRED, 'Choose the infrastructure provisioner': 'crossplane' });
    const init = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const yaml = ws.read('platforms/prod/platform.yaml');
    expect(yaml).toContain('crossplane');
    expect(yaml).not.toContain('enable_composition_revisions');
    const render = await runCli(['render', 'prod'], ws.root, ws.env);
    expect(render.stderr).toBe('');
    expect(render.code).toBe(0);
  });

  it('skips legacy fields and fields that do not apply given earlier answers', async () => {
    const ws = fullWorkspace();
    const p = answeringPrompter({ ...REQUIRED, 'Choose the infrastructure provisioner': 'crossplane' });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p)).code).toBe(0);
    const asked = p.transcript.join('\n');
    expect(asked).toContain('Enable the BGP control plane');
    for (const skipped of ['Local BGP autonomous system number', 'older engine', 'Nested form', 'Hetzner DNS API token', 'composition-revisions'])
      expect(asked).not.toContain(skipped);

    // BGP on: the ASN is asked, with an honest range.
    const bgp = initWorkspace();
    const q = answeringPrompter({ ...REQUIRED, 'Enable the BGP control plane': 'Yes', 'Local BGP autonomous system number': ['0', 'x', '65001'] });
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], bgp.root, bgp.env, q);
    expect(r.code).toBe(0);
    const t = q.transcript.join('\n');
    expect(t).toContain('! must be between 1 and 4294967295');
    expect(t).toContain('! must be a whole number between 1 and 4294967295');
    expect(t).not.toContain('Infinity');
    expect(bgp.read('platforms/prod/platform.yaml')).toContain('bgp_enabled: true\n    bgp_asn: 65001');
  });

  it('says "at least" for a lower bound alone, never "between 1 and Infinity"', async () => {
    const ws = fullWorkspace();
    const p = answeringPrompter({ ...REQUIRED, 'GitHub App id': ['0', '12345'] });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p)).code).toBe(0);
    const t = p.transcript.join('\n');
    expect(t).toContain('! must be at least 1');
    expect(t).not.toContain('Infinity');
  });

  it('refuses to pick a platform nobody named when there is no terminal, naming the platforms (exit 64); in a terminal it asks which', async () => {
    const ws = initWorkspace({ 'platforms/prod/platform.yaml': 'version: "1.0"\nplatform: { organization: acme, app_name: acme-prod }\nadapters:\n  cilium: {}\n' });
    const before = ws.read('platforms/prod/platform.yaml');
    for (const r of [await runCli(['init', '--non-interactive'], ws.root, ws.env), await runBin(['init'], ws.root, ws.env)]) {
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('name the platform to initialise: ztc init <platform> (platforms: prod; a new name creates that platform)');
    }
    expect(ws.read('platforms/prod/platform.yaml')).toBe(before);
    expect(existsSync(ws.path('platforms/prod/platform.schema.json'))).toBe(false);

    const p = scriptedPrompter([
      ['Which platform', 'prod'],
      ['Write platforms/prod/platform.yaml?', false],
    ]);
    const asked = await runCli(['init', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(asked.code).toBe(0);
    expect(p.remaining()).toEqual([]);
  });

  it('takes a multi-line secret from a file or an editor, and refuses one that is not a PEM private key', async () => {
    const ws = fullWorkspace({ 'outside/not-a-pem.txt': 'not-a-pem\n' });
    const keyFile = ws.path('outside/app.pem');
    ws.write('outside/app.pem', PEM);
    const p = answeringPrompter({
      ...REQUIRED,
      "How do you give The App's private key": 'file',
      "Path to the file with The App's private key": [ws.path('outside/not-a-pem.txt'), ws.path('outside/missing.pem'), `@${keyFile}`],
    });
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const t = p.transcript.join('\n');
    expect(t).toContain('! must be a PEM private key (-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----)');
    expect(t).toMatch(/! cannot read .*missing\.pem \(ENOENT\)/);
    expect(t).not.toContain('not-a-pem\n');
    const stored = readFileSync(ws.secretsFile, 'utf8');
    expect(stored).toContain(`GITHUB_APP_PRIVATE_KEY=${JSON.stringify(PEM.trimEnd())}`);
    expect(ws.read('platforms/prod/platform.yaml')).not.toContain('PRIVATE KEY');
    expect(r.stdout).not.toContain(PEM.split('\n')[1]);

    // The editor, and the hidden prompt: "not-a-pem" refused there too.
    const ws2 = fullWorkspace();
    const e = answeringPrompter({ ...REQUIRED, "How do you give The App's private key": 'editor', "The App's private key (PEM) in your editor": ['not-a-pem', PEM] });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws2.root, ws2.env, e)).code).toBe(0);
    expect(e.transcript.join('\n')).toContain('! must be a PEM private key');
    expect(readFileSync(ws2.secretsFile, 'utf8')).toContain(`GITHUB_APP_PRIVATE_KEY=${JSON.stringify(PEM.trimEnd())}`);
  });

  it('reads a one-line secret from @FILE', async () => {
    const ws = initWorkspace();
    ws.write('outside/token', `${'a'.repeat(64)}\n`);
    const p = answeringPrompter({ ...REQUIRED, 'Hetzner Cloud API token': [`@${ws.path('outside/nope')}`, `@${ws.path('outside/token')}`] });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p)).code).toBe(0);
    expect(p.transcript.join('\n')).toMatch(/! cannot read .*outside\/nope \(ENOENT\)/);
    expect(readFileSync(ws.secretsFile, 'utf8')).toContain(`HCLOUD_TOKEN=${'a'.repeat(64)}\n`);
  });

  it('goes back one question on "<"', async () => {
    const ws = initWorkspace();
    const p = scriptedPrompter([
      ['Organization', 'acme'],
      ['Application name', '<'],
      ['Organization', 'acme-corp'],
      ['Application name', 'acme-prod'],
      ['Cilium version'],
      ['Enable the BGP control plane'],
      ['Enable Hubble'],
      ['Hetzner adapter version'],
      ['Public IPv4 addresses', '203.0.113.10'],
      ['Hetzner location', 'nbg1'],
      ['rescue mode', '<'],
      ['Hetzner location', 'hel1'],
      ['rescue mode'],
      ['Hetzner Cloud API token', ''],
      ['Talos version'],
      ['Kubernetes version'],
      ['Image Factory schematic'],
      ['Cluster name', 'prod'],
      ['Control-plane endpoint'],
      ['CPU architecture'],
      ['Install disk'],
      ['Nodes (one per server): use these?', 'Use these'],
      ['Write platforms/prod/platform.yaml?', true],
    ]);
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(p.remaining()).toEqual([]);
    const yaml = ws.read('platforms/prod/platform.yaml');
    expect(yaml).toContain('organization: acme-corp');
    expect(yaml).toContain('location: hel1');
  });

  it('a legacy secret in platform.yaml that its schema refuses is dropped, saying so (not "moved" into the secrets file)', async () => {
    const ws = initWorkspace();
    const first = answeringPrompter({ ...REQUIRED, 'Hetzner Cloud API token': 'a'.repeat(64) });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, first)).code).toBe(0);
    const yaml = ws.read('platforms/prod/platform.yaml');
    ws.write('platforms/prod/platform.yaml', yaml.replace(/^( *)(server_ips:)/m, '$1hetzner_dns_token: too-short\n$1$2'));
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, answeringPrompter({}));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('moved adapters.hetzner.hetzner_dns_token');
    expect(r.stdout).toContain('Dropping adapters.hetzner.hetzner_dns_token');
    expect(r.stdout).not.toContain('too-short');
    expect(ws.read('platforms/prod/platform.yaml')).not.toContain('hetzner_dns_token');
    expect(readFileSync(ws.secretsFile, 'utf8')).not.toContain('HETZNER_DNS_TOKEN');
  });

  it('a secret moved out of platform.yaml never shows in the diff: its line is printed masked', async () => {
    const ws = initWorkspace();
    const token = 'c'.repeat(64);
    const first = answeringPrompter({ ...REQUIRED, 'Hetzner Cloud API token': '' });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, first)).code).toBe(0);
    const yaml = ws.read('platforms/prod/platform.yaml');
    ws.write('platforms/prod/platform.yaml', yaml.replace(/^( *)(server_ips:)/m, `$1hcloud_api_token: ${token}\n$1$2`));
    const p = answeringPrompter({});
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}${p.transcript.join('\n')}`).not.toContain(token);
    expect(r.stdout).toContain('-    hcloud_api_token: ***');
    expect(readFileSync(ws.secretsFile, 'utf8')).toContain(`HCLOUD_TOKEN=${token}\n`);
  });

  it('"<" at a secret goes back to the secret before it, asked again (not skipped as already given)', async () => {
    const ws = fullWorkspace();
    const first = answeringPrompter({ ...REQUIRED, 'Choose the infrastructure provisioner': 'crossplane' });
    expect((await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, first)).code).toBe(0);
    // The platform exists, its secrets are not stored: init asks only for them.
    rmSync(ws.secretsFile, { force: true });
    const p = answeringPrompter({ 'S3 access key': ['first-key', 'second-key'], 'S3 secret key': ['<', 'the-secret'] });
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(p.transcript.filter((l) => l.includes('S3 access key'))).toHaveLength(2);
    const secrets = readFileSync(ws.secretsFile, 'utf8');
    expect(secrets).toContain('S3_ACCESS_KEY=second-key\n');
    expect(secrets).toContain('S3_SECRET_KEY=the-secret\n');
  });
});
