/**
 * A platform.yaml as the older Python engine wrote it (its §6.1 shape and field names: ruamel block
 * style, ids as strings, platform_repo_url, comma-separated providers, …) renders without edits with the
 * seven adapters; only a secret written in clear is refused, naming the env var to use instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../testing/run-cli';
import { tempWorkspace } from '../../testing/temp-workspace';

const LEGACY = readFileSync(join(__dirname, '__fixtures__', 'legacy-platform.yaml'), 'utf8');
const ADAPTERS = ['hetzner', 'github', 'ksops', 'talos', 'cilium', 'argocd', 'crossplane'];

function workspace(platformYaml: string) {
  const ws = tempWorkspace({ 'platforms/legacy/platform.yaml': platformYaml });
  for (const a of ADAPTERS) ws.copyFromRepo(`adapters/${a}`);
  ws.copyFromRepo('tools/ztc/capabilities');
  return ws;
}

describe('a platform.yaml written by the older engine', () => {
  it('renders without edits', async () => {
    const ws = workspace(LEGACY);
    const r = await runCli(['render', 'legacy'], ws.root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const root = parse(ws.read('platforms/legacy/generated/argocd/root/root-app.yaml'));
    expect(root.spec.source).toMatchObject({ repoURL: 'https://github.com/acme/acme-platform.git', targetRevision: 'main' });
    expect(parse(ws.read('platforms/legacy/generated/crossplane/providers/provider-kubernetes.yaml')).spec.package).toMatch(/provider-kubernetes:v/);
    expect(ws.read('platforms/legacy/generated/argocd/install/kustomization.yaml')).toContain('argo-cd/v3.2.0/manifests/install.yaml');
  });

  it.each([
    ['hetzner', '    rescue_mode_confirm: true\n', '    hcloud_api_token: abc\n', 'HCLOUD_TOKEN'],
    ['github', "    github_app_id: '123456'\n", '    github_app_private_key: "-----BEGIN RSA PRIVATE KEY-----"\n', 'GITHUB_APP_PRIVATE_KEY'],
    ['ksops', '    s3_region: fsn1\n', '    s3_secret_key: abc\n', 'S3_SECRET_KEY'],
    ['argocd', '    platform_repo_branch: main\n', '    admin_password: hunter2hunter2\n', 'ARGOCD_ADMIN_PASSWORD'],
  ])('refuses a %s secret written in clear, naming the env var to use (exit 3)', async (_adapter, anchor, secret, env) => {
    const ws = workspace(LEGACY.replace(anchor, `${anchor}${secret}`));
    const r = await runCli(['render', 'legacy'], ws.root);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`export ${env} in the environment that runs bootstrap`);
  });
});
