/**
 * Fidelity: the argocd adapter's output for the example platform against Argo CD v3.2.12. The install
 * kustomization builds (kustomize v4.5.4 = `kubectl kustomize` of kubectl 1.24-1.26, with the vendored
 * install.yaml for its remote base) into a repo-server carrying the KSOPS wiring; the Application and
 * AppProject pass the v3.2.12 CRD schemas (unknown fields refused); argocd-cm keys are documented ones.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPlatform } from '@ztc/engine/testing';
import { crdValidator, describeErrors, kustomizeBinary, kustomizeBuild, upstreamFile } from '../../tools/upstream/upstream';
import { render } from './render';

/** This repository: the specs render its example platform. */
const REPO_ROOT = join(__dirname, '..', '..');

const plan = renderPlatform(REPO_ROOT, 'example');

function realKubectl(): string | undefined {
  try {
    const bin = execFileSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    execFileSync(bin, ['kustomize', '--help'], { stdio: 'ignore' });
    return bin;
  } catch {
    return undefined;
  }
}
const file = (p: string) => parse(plan.files.get(p)!) as Record<string, any>;
const built = kustomizeBuild(join(REPO_ROOT, 'platforms/example/generated/argocd/install'), kustomizeBinary());
const find = (kind: string, name: string) => built.find((d) => d.kind === kind && d.metadata.name === name)!;

describe('argocd output against Argo CD v3.2.12', () => {
  it('the install kustomization builds, pinned to the version, everything in the argocd namespace', () => {
    expect(file('argocd/install/kustomization.yaml').resources).toEqual(['https://raw.githubusercontent.com/argoproj/argo-cd/v3.2.12/manifests/install.yaml']);
    expect(
      built
        .filter((d) => d.kind === 'CustomResourceDefinition')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io']);
    const namespaced = built.filter((d) => !['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind));
    expect(new Set(namespaced.map((d) => d.metadata.namespace))).toEqual(new Set(['argocd']));
  });

  it("the repo-server runs KSOPS: init container, tools mounted over the image's, the Age key mounted and named", () => {
    const spec = find('Deployment', 'argocd-repo-server').spec.template.spec;
    expect(spec.initContainers.find((c: any) => c.name === 'install-ksops')).toEqual({
      name: 'install-ksops',
      image: 'viaductoss/ksops:v4.5.1',
      command: ['/usr/local/bin/ksops', 'install', '--with-kustomize', '/custom-tools'],
      volumeMounts: [{ mountPath: '/custom-tools', name: 'custom-tools' }],
    });
    const container = spec.containers.find((c: any) => c.name === 'argocd-repo-server');
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { mountPath: '/usr/local/bin/kustomize', name: 'custom-tools', subPath: 'kustomize' },
        { mountPath: '/usr/local/bin/ksops', name: 'custom-tools', subPath: 'ksops' },
        { mountPath: '/.config/sops/age', name: 'sops-age', readOnly: true },
      ]),
    );
    expect(container.env).toContainEqual({ name: 'SOPS_AGE_KEY_FILE', value: '/.config/sops/age/keys.txt' });
    expect(spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'custom-tools', emptyDir: {} },
        { name: 'sops-age', secret: { secretName: 'sops-age' } },
      ]),
    );
    // The upstream patch's own parts are all there (KSOPS README, v4.5.1).
    const upstream = parse(upstreamFile('ksops/v4.5.1/argocd-repo-server-ksops-patch.yaml')) as Record<string, any>;
    expect(spec.initContainers).toContainEqual(upstream.spec.template.spec.initContainers[0]);
  });

  it('argocd-cm enables exec plugins for kustomize, and keeps every key Argo CD documents', () => {
    const cm = find('ConfigMap', 'argocd-cm');
    expect(cm.data['kustomize.buildOptions']).toBe('--enable-alpha-plugins --enable-exec');
    const documented = JSON.parse(upstreamFile('argocd/v3.2.12/configmap-keys.json')) as { 'argocd-cm': { keys: string[]; prefixes?: string[] } };
    const known = (k: string) => documented['argocd-cm'].keys.includes(k) || (documented['argocd-cm'].prefixes ?? []).some((p) => k.startsWith(p));
    expect(Object.keys(cm.data).filter((k) => !known(k))).toEqual([]);
  });

  it('the AppProject and the root Application pass the v3.2.12 CRD schemas; the root app recurses into */app.yaml', () => {
    const app = crdValidator('argocd/v3.2.12/application-crd.yaml', 'v1alpha1');
    const project = crdValidator('argocd/v3.2.12/appproject-crd.yaml', 'v1alpha1');
    for (const [validate, doc] of [
      [project, file('argocd/root/project.yaml')],
      [app, file('argocd/root/root-app.yaml')],
    ] as const) {
      const ok = validate(doc);
      expect(describeErrors(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(app({ ...file('argocd/root/root-app.yaml'), spec: { ...file('argocd/root/root-app.yaml').spec, sourc: {} } })).toBe(false);
    expect(file('argocd/root/root-app.yaml').spec.source).toEqual({
      repoURL: 'https://github.com/acme/acme-platform.git',
      targetRevision: 'main',
      path: 'platforms/example/generated',
      directory: { recurse: true, include: '*/app.yaml' },
    });
  });

  it("renders no secret, and patches the ClusterRoleBindings' subjects for a namespace other than argocd", () => {
    expect(
      [...plan.files]
        .filter(([p]) => p.startsWith('argocd/'))
        .map(([, c]) => c)
        .join('\n'),
    ).not.toMatch(/password|PRIVATE KEY|githubAppPrivateKey/i);
    const caps = {
      'secrets-management': { sops_config_state_file: 'ksops/.sops.yaml', key_secret: { namespace: 'gitops', name: 'sops-age', key: 'keys.txt' } },
      'git-credentials': { app_id: '1', installation_id: '2', private_key_env: 'GITHUB_APP_PRIVATE_KEY', repositories: { control_plane: 'https://github.com/a/b' } },
    };
    const config = { version: 'v3.2.12', namespace: 'gitops', overlay_environment: 'main', mode: 'production', ksops_version: 'v4.5.1' };
    const out = render(config, { name: 'p' }, caps, { template: () => '' });
    const k = parse(out.files['argocd/install/kustomization.yaml']!);
    expect(k.namespace).toBe('gitops');
    expect(k.patches.filter((p: any) => p.target?.kind === 'ClusterRoleBinding').map((p: any) => p.target.name)).toEqual([
      'argocd-application-controller',
      'argocd-applicationset-controller',
      'argocd-server',
    ]);
    expect(() => render({ ...config, namespace: 'argocd' }, { name: 'p' }, caps, { template: () => '' })).toThrow(
      'ksops puts the Age key into namespace "gitops" but Argo CD runs in "argocd": set ksops.argocd_namespace: argocd',
    );
  });

  // kubectl is not a prerequisite of the tests; where one is installed, its kustomize must agree.
  it.skipIf(!realKubectl())('builds the same with kubectl kustomize', () => {
    const viaKubectl = kustomizeBuild(join(REPO_ROOT, 'platforms/example/generated/argocd/install'), realKubectl()!, ['kustomize']);
    expect(viaKubectl).toEqual(built);
  });
});
