import { describe, expect, it } from 'vitest';
import { getAjv } from '../util/schema';
import { parseYaml } from '../util/yaml';
import { REPO_ROOT } from '../../testing/temp-workspace';
import { initWorkspace } from '../../testing/init-workspace';
import { runCli } from '../../testing/run-cli';
import { readFileSync } from 'node:fs';

describe('ztc schema', () => {
  it('writes the JSON Schema of a platform: chosen adapters, no secrets, prompts as descriptions; it accepts the platform', async () => {
    const r = await runCli(['schema', 'example', '--stdout'], REPO_ROOT);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: { adapters: { properties: Record<string, { properties: Record<string, { description?: string }> }> } } };
    const adapters = schema.properties.adapters.properties;
    expect(Object.keys(adapters)).toEqual(['cilium', 'github', 'hetzner', 'talos', 'ksops', 'argocd', 'crossplane']);
    expect(Object.keys(adapters.hetzner!.properties)).toEqual(['version', 'server_ips', 'location', 'rescue_mode_confirm']);
    expect(adapters.talos!.properties.cluster_name!.description).toBe('Cluster name (lowercase letters, digits, hyphens)');
    expect(r.stdout).not.toMatch(/"(secret|prompt|env|x-ztc-[a-z-]+)"/);
    const bgp = adapters.cilium!.properties.bgp as { deprecated?: boolean; description?: string };
    expect(bgp.deprecated).toBe(true);
    expect(bgp.description).toMatch(/^Legacy, kept so older platform.yaml files stay valid: Nested form/);
    const validate = getAjv().compile({ ...schema, $schema: undefined });
    const data = parseYaml({ file: 'p', text: readFileSync(`${REPO_ROOT}/platforms/example/platform.yaml`, 'utf8') });
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: '1.0', adapters: { hetzner: { server_ips: ['203.0.113.1'], hcloud_api_token: 'x' } } })).toBe(false);
  });

  it('writes platforms/<p>/platform.schema.json once; a second run is up to date', async () => {
    const ws = initWorkspace({ 'platforms/p/platform.yaml': 'version: "1.0"\nadapters:\n  cilium: {}\n' });
    expect((await runCli(['schema'], ws.root)).stdout).toContain('wrote platforms/p/platform.schema.json');
    expect((await runCli(['schema', 'p'], ws.root)).stdout).toBe('platforms/p/platform.schema.json: up to date');
  });
});
