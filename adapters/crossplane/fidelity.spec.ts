/**
 * Fidelity: crossplane's Applications pass Argo CD's v3.2.12 Application CRD, its Providers pass the
 * Provider CRD of the configured Crossplane version (v1.16.5 or v2.0.8), and flags a version no longer
 * has are refused at render.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderPlatform } from '@ztc/engine/testing';
import { crdValidator, describeErrors, upstreamYaml } from '../../tools/upstream/upstream';
import { render, type CrossplaneConfig } from './render';

/** This repository: the specs render its example platform. */
const REPO_ROOT = join(__dirname, '..', '..');

const gitops = {
  'gitops-platform': {
    namespace: 'argocd',
    project: 'p',
    repo_url: 'https://github.com/a/b.git',
    revision: 'main',
    generated_path: 'platforms/p/generated',
    app_manifest: 'app.yaml',
  },
};
const base: CrossplaneConfig = { version: '2.0.8', namespace: 'crossplane-system', mode: 'production', providers: ['kubernetes'] };
const run = (config: Partial<CrossplaneConfig>) => render({ ...base, ...config }, { name: 'p' }, gitops, { template: () => '' });

describe('crossplane output', () => {
  it("the example's Applications pass the Argo CD v3.2.12 Application CRD", () => {
    const plan = renderPlatform(REPO_ROOT, 'example');
    const validate = crdValidator('argocd/v3.2.12/application-crd.yaml', 'v1alpha1');
    const apps = parseAllDocuments(plan.files.get('crossplane/app.yaml')!).map((d) => d.toJSON());
    expect(apps.map((a) => a.metadata.name)).toEqual(['crossplane', 'crossplane-providers']);
    for (const app of apps) {
      const ok = validate(app);
      expect(describeErrors(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(apps[0].spec.source).toEqual({ repoURL: 'https://charts.crossplane.io/stable', chart: 'crossplane', targetRevision: '2.0.8' });
  });

  it.each([
    ['2.0.8', 'crossplane/v2.0.8'],
    ['1.16.5', 'crossplane/v1.16.5'],
  ])("Providers for %s pass that version's Provider CRD, packages pinned", (version, dir) => {
    const validate = crdValidator(`${dir}/pkg.crossplane.io_providers.yaml`, 'v1');
    const out = run({ version, providers: 'kubernetes, helm' });
    const providers = Object.entries(out.files)
      .filter(([p]) => p.startsWith('crossplane/providers/'))
      .map(([, c]) => parse(c));
    expect(providers.map((p) => p.spec.package)).toEqual([
      'xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.15.0',
      'xpkg.upbound.io/crossplane-contrib/provider-helm:v0.19.0',
    ]);
    for (const p of providers) {
      expect(validate(p), describeErrors(validate.errors).join('; ')).toBe(true);
    }
    expect(validate({ ...providers[0], spec: { ...providers[0].spec, pakage: 'x' } })).toBe(false);
  });

  it('refuses --enable-composition-revisions for v2 (the flag is gone) and passes nothing for 1.x (it has no effect there)', () => {
    expect(() => run({ enable_composition_revisions: true })).toThrow('Crossplane 2.0.8 has no --enable-composition-revisions flag (removed in v2');
    expect(() => run({ enable_composition_revisions: false })).toThrow('remove enable_composition_revisions');
    const v1 = run({ version: '1.16.5', enable_composition_revisions: true });
    expect(parseAllDocuments(v1.files['crossplane/app.yaml']!)[0]!.toJSON().spec.source.helm).toBeUndefined();
    const defaults = upstreamYaml<Record<string, unknown>>('crossplane/v2.0.8/values.yaml');
    expect(defaults.args).toEqual([]);
  });

  it('refuses a provider without a pinned package, and takes one given with its package', () => {
    expect(() => run({ providers: ['hetzner'] })).toThrow('providers: no pinned package for "hetzner" (known: kubernetes, helm, aws)');
    const custom = run({ providers: [{ name: 'hcloud', package: 'xpkg.example.com/acme/provider-hcloud:v1.2.3', crd_group: 'hcloud.example.com' }] });
    expect(parse(custom.files['crossplane/providers/provider-hcloud.yaml']!).spec.package).toBe('xpkg.example.com/acme/provider-hcloud:v1.2.3');
  });
});
