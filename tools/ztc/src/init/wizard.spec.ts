/**
 * The init wizard's logic in-process, through a scripted Prompter (the terminal itself is covered by
 * wizard.pty.spec.ts): the order of questions, defaults offered (derived ones included), a pattern error
 * and its re-prompt, hidden secrets kept out of the workspace, re-runs, and init scripts with retry.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANARY, EXPECTED_YAML, initWorkspace } from '../../testing/init-workspace';
import { runCli } from '../../testing/run-cli';
import { scriptedPrompter, type Step } from '../../testing/scripted-prompter';
import { listFiles } from '../util/list-files';

const NEW_PLATFORM: Step[] = [
  ['Organization', 'acme'],
  ['Application name', 'acme-prod'],
  ['Cilium version'],
  ['Enable the BGP control plane'],
  ['Enable Hubble'],
  ['Hetzner adapter version'],
  ['Public IPv4 addresses', '203.0.113.10, 203.0.113.11'],
  ['Hetzner location'],
  ['rescue mode'],
  ['Hetzner Cloud API token', 'too-short'],
  ['Hetzner Cloud API token', CANARY],
  ['Talos version'],
  ['Kubernetes version'],
  ['Image Factory schematic'],
  ['Cluster name', 'Prod'],
  ['Cluster name', 'prod'],
  ['Control-plane endpoint'],
  ['CPU architecture'],
  ['Install disk'],
  ['Nodes (one per server): use these?', 'Use these'],
  ['Write platforms/prod/platform.yaml?', true],
];

describe('ztc init wizard', () => {
  it('asks every input of a new platform with its default, re-prompts a pattern error, keeps the secret out of the workspace', async () => {
    const ws = initWorkspace();
    const p = scriptedPrompter(NEW_PLATFORM);
    const r = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(p.remaining()).toEqual([]);
    const transcript = p.transcript.join('\n');
    expect(transcript).toContain('! must match pattern ^[a-z0-9][a-z0-9-]*$, got string "Prod"');
    expect(transcript).toContain('! must match pattern ^[A-Za-z0-9]{64}$');
    expect(transcript).not.toMatch(/^!.*too-short/m);
    expect(transcript).toContain('Control-plane endpoint (IPv4:port, e.g. 203.0.113.10:6443) [default: "203.0.113.10:6443"]');
    expect(transcript).toContain('Cilium version (1.18.x or 1.19.x; an upgrade goes one minor at a time) [default: "v1.18.5"]');
    expect(r.stdout).toContain('network tool: Cilium (cilium 1.2.0) (default) (the only option)');
    expect(r.stdout).toContain('1. name=cp-1  ip=203.0.113.10  role=controlplane');
    expect(r.stdout).toContain('+    cluster_name: prod');
    expect(r.stdout).toContain(`Stored: HCLOUD_TOKEN in ${ws.secretsFile} (mode 0600, outside the workspace).`);
    expect(ws.read('platforms/prod/platform.yaml')).toBe(EXPECTED_YAML);
    expect(JSON.parse(ws.read('platforms/prod/platform.schema.json')).properties.adapters.properties.hetzner.properties).not.toHaveProperty('hcloud_api_token');
    expect(readFileSync(ws.secretsFile, 'utf8')).toContain(`HCLOUD_TOKEN=${CANARY}\n`);
    expect(statSync(ws.secretsFile).mode & 0o777).toBe(0o600);
    for (const f of listFiles(ws.root, { skip: (name) => name === 'node_modules' })) expect(readFileSync(ws.path(f), 'utf8'), f).not.toContain(CANARY.slice(0, 24));
    expect(r.stdout).not.toContain(CANARY.slice(0, 24));

    // The platform renders as written.
    expect((await runCli(['render', 'prod'], ws.root, ws.env)).code).toBe(0);

    // Re-run: everything is valid and stored (the unused DNS token is legacy: not asked); nothing changes.
    const before = statSync(ws.path('platforms/prod/platform.yaml')).mtimeMs;
    const again = scriptedPrompter([]);
    const r2 = await runCli(['init', 'prod', '--skip-init-scripts'], ws.root, ws.env, again);
    expect(r2.code).toBe(0);
    expect(again.remaining()).toEqual([]);
    expect(r2.stdout).toContain('platforms/prod/platform.yaml: up to date.');
    expect(statSync(ws.path('platforms/prod/platform.yaml')).mtimeMs).toBe(before);
    expect(ws.read('platforms/prod/platform.yaml')).toBe(EXPECTED_YAML);
  });

  it('asks only what is missing or invalid on a re-run, keeps comments, shows the diff and can decline', async () => {
    const ws = initWorkspace({
      'platforms/prod/platform.yaml': [
        '# Production.',
        'version: "1.0"',
        'platform: { organization: acme, app_name: acme-prod }',
        'adapters:',
        '  hetzner:',
        '    server_ips: [203.0.113.10]   # one server for now',
        '    location: mars',
        '  talos:',
        '    cluster_name: prod',
        '    cluster_endpoint: 203.0.113.10:6443',
        '    nodes: [{ name: cp-1, ip: 203.0.113.10, role: controlplane }]',
        '  cilium: {}',
        '',
      ].join('\n'),
    });
    const before = ws.read('platforms/prod/platform.yaml');
    const declined = scriptedPrompter([
      ['Which platform', 'prod'],
      ['Hetzner location', 'nbg1'],
      ['Hetzner Cloud API token', ''],
      ['Write platforms/prod/platform.yaml?', false],
    ]);
    const r = await runCli(['init', '--skip-init-scripts'], ws.root, ws.env, declined);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('adapters.hetzner.location: the current value is not valid (platforms/prod/platform.yaml: adapters.hetzner.location: must be one of');
    expect(r.stdout).toContain('-    location: mars\n+    location: nbg1');
    expect(r.stdout).toContain('Nothing written');
    expect(ws.read('platforms/prod/platform.yaml')).toBe(before);

    const accepted = scriptedPrompter([
      ['Which platform', 'prod'],
      ['Hetzner location', 'nbg1'],
      ['Hetzner Cloud API token', ''],
      ['Write platforms/prod/platform.yaml?', true],
    ]);
    expect((await runCli(['init', '--skip-init-scripts'], ws.root, ws.env, accepted)).code).toBe(0);
    const after = ws.read('platforms/prod/platform.yaml');
    expect(after).toContain('# Production.');
    expect(after).toContain('# one server for now');
    expect(after).toContain('    location: nbg1');
    expect(after.indexOf('hetzner:')).toBeLessThan(after.indexOf('talos:'));
    expect(after.indexOf('talos:')).toBeLessThan(after.indexOf('cilium:'));
  });

  it('--all asks every input again with the current values as defaults', async () => {
    const ws = initWorkspace({ 'platforms/prod/platform.yaml': EXPECTED_YAML });
    // Enter on every question: each offers the current value.
    const enter = [
      'Organization',
      'Application name',
      'Cilium version',
      'Enable the BGP',
      'Enable Hubble',
      'Hetzner adapter version',
      'Public IPv4',
      'Hetzner location',
      'rescue mode',
      'Hetzner Cloud API token',
      'Talos version',
      'Kubernetes version',
      'Image Factory',
      'Cluster name',
      'Control-plane endpoint',
      'CPU architecture',
      'Install disk',
      'use these?',
    ];
    const p = scriptedPrompter(enter.map((q): Step => [q]));
    const r = await runCli(['init', 'prod', '--all', '--skip-init-scripts'], ws.root, ws.env, p);
    expect(r.stderr).toBe('');
    expect(p.remaining()).toEqual([]);
    expect(p.transcript.join('\n')).toContain('Cluster name (lowercase letters, digits, hyphens) [default: "prod"]');
    expect(p.transcript.join('\n')).toContain('Public IPv4 addresses of the servers (comma-separated) [default: "203.0.113.10, 203.0.113.11"]');
    expect(r.stdout).toContain('platforms/prod/platform.yaml: up to date.');
  });

  it("runs an adapter's init script through the step runner and offers to re-enter its inputs when it fails", async () => {
    const ws = initWorkspace({
      'adapters/probe/adapter.yaml': [
        'name: probe',
        'version: 1.0.0',
        'description: Checks an endpoint with a token.',
        'inputs:',
        '  type: object',
        '  additionalProperties: false',
        '  required: [endpoint]',
        '  properties:',
        '    endpoint: { type: string, prompt: Endpoint to check }',
        '    token: { type: string, secret: true, env: PROBE_TOKEN, prompt: Probe token }',
        'init:',
        '  - file: scripts/init/check.sh',
        '    description: Check the endpoint',
        '    secret_env: [PROBE_TOKEN]',
        '    context: { endpoint: "{{ config.endpoint }}" }',
        '',
      ].join('\n'),
      'adapters/probe/scripts/init/check.sh':
        '#!/usr/bin/env bash\nset -euo pipefail\nendpoint="$(jq -r .endpoint "$ZTC_CONTEXT_FILE")"\necho "checking $endpoint with $PROBE_TOKEN"\necho "other secret: ${HCLOUD_TOKEN:-unset}"\n[[ "$endpoint" == good ]] || { echo "endpoint $endpoint refused" >&2; exit 1; }\n',
      'platforms/prod/platform.yaml': 'version: "1.0"\nplatform: { organization: acme, app_name: acme-prod }\nadapters:\n  probe: { endpoint: bad }\n',
    });
    const p = scriptedPrompter([
      ['Probe token', 'sekret-token-1234'],
      ['probe/check failed. What now?', 'retry'],
      ['Endpoint to check', 'good'],
      ['Probe token', ''],
      ['Write platforms/prod/platform.yaml?', true],
    ]);
    const r = await runCli(['init', 'prod'], ws.root, { ...ws.env, HCLOUD_TOKEN: 'another-adapters-secret' }, p);
    expect(r.stderr).toBe('');
    expect(p.remaining()).toEqual([]);
    expect(r.stdout).toContain('[probe/check] checking bad with ***');
    expect(r.stdout).toContain('[probe/check] other secret: unset');
    expect(r.stdout).toContain('[probe/check] stderr: endpoint bad refused');
    expect(r.stdout).toContain('[probe/check] checking good with ***');
    expect(r.stdout).not.toContain('sekret-token-1234');
    expect(ws.read('platforms/prod/.ztc/logs/init/probe.check.log')).toContain('checking good with ***');
    expect(ws.read('platforms/prod/platform.yaml')).toContain('probe: { endpoint: good }');
    expect(readFileSync(ws.secretsFile, 'utf8')).toBe(
      '# Secrets for ztc (written by "ztc init"). Keep this file private: mode 0600, never commit it.\nPROBE_TOKEN=sekret-token-1234\n',
    );
  });
});
