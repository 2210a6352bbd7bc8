/**
 * crossplane: two Argo CD Applications in generated/crossplane/app.yaml, which the platform's root app
 * picks up: the Crossplane chart at the configured version (wave 0) and the providers folder (wave 1,
 * retried until the Provider CRD exists), plus one `pkg.crossplane.io/v1` Provider per provider, each
 * pinned to a package version. Flags the configured major version does not have are refused here, not
 * discovered when the pod fails to start.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface Provider {
  name: string;
  package: string;
  crd_group: string;
}

export interface CrossplaneConfig {
  version: string;
  namespace: string;
  enable_composition_revisions?: boolean;
  mode: string;
  providers: string | (string | Provider)[];
}

interface Capabilities {
  'gitops-platform': { namespace: string; project: string; repo_url: string; revision: string; generated_path: string; app_manifest: string };
}

/** Providers known by name: package pinned to a version, and the API group of the CRDs it serves. */
export const KNOWN_PROVIDERS: Record<string, Omit<Provider, 'name'>> = {
  kubernetes: { package: 'xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.15.0', crd_group: 'kubernetes.crossplane.io' },
  helm: { package: 'xpkg.upbound.io/crossplane-contrib/provider-helm:v0.19.0', crd_group: 'helm.crossplane.io' },
  aws: { package: 'xpkg.upbound.io/upbound/provider-family-aws:v1.14.0', crd_group: 'aws.upbound.io' },
};

const CHART = { repoURL: 'https://charts.crossplane.io/stable', chart: 'crossplane' };
const IN_CLUSTER = 'https://kubernetes.default.svc';

export function resolveProviders(value: CrossplaneConfig['providers']): Provider[] {
  const entries = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  return entries.map((p) => {
    if (typeof p !== 'string') return p;
    const known = KNOWN_PROVIDERS[p];
    if (!known) {
      throw new Error(
        `providers: no pinned package for "${p}" (known: ${Object.keys(KNOWN_PROVIDERS).join(', ')}); give it as {name: ${p}, package: <registry>/<org>/<provider>:<version>, crd_group: <its API group>}`,
      );
    }
    return { name: p, ...known };
  });
}

function chartArgs(config: CrossplaneConfig, major: number): string[] {
  if (config.enable_composition_revisions === undefined) return [];
  if (major >= 2) {
    throw new Error(
      `enable_composition_revisions: Crossplane ${config.version} has no --enable-composition-revisions flag (removed in v2; composition revisions are always on), and passing it stops Crossplane from starting: remove enable_composition_revisions`,
    );
  }
  // 1.x still accepts the flag, hidden and without effect (revisions are GA since 1.11): nothing to pass.
  return [];
}

export const render = defineRender<CrossplaneConfig, Capabilities>((config, platform, caps) => {
  const gitops = caps['gitops-platform'];
  const version = config.version.replace(/^v/, '');
  const major = Number(version.split('.')[0]);
  const args = chartArgs(config, major);
  const providers = resolveProviders(config.providers);
  const labels = { 'ztc.dev/platform': platform.name, 'ztc.dev/mode': config.mode };
  const syncPolicy = { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] };
  const application = (name: string, wave: number, source: object, extra: object = {}) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: gitops.namespace, labels, annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
    spec: { project: gitops.project, source, destination: { server: IN_CLUSTER, namespace: config.namespace }, syncPolicy: { ...syncPolicy, ...extra } },
  });
  const chartApp = application('crossplane', 0, { ...CHART, targetRevision: version, ...(args.length ? { helm: { valuesObject: { args } } } : {}) });
  // Retried: its Providers fail until the chart app has installed the Provider CRD.
  const providersApp = application(
    'crossplane-providers',
    1,
    { repoURL: gitops.repo_url, targetRevision: gitops.revision, path: `${gitops.generated_path}/crossplane/providers` },
    { retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } } },
  );
  const files: Record<string, string> = {
    [`crossplane/${gitops.app_manifest}`]: [chartApp, providersApp].map((d) => stringify(d)).join('---\n'),
  };
  for (const p of providers) {
    files[`crossplane/providers/provider-${p.name}.yaml`] = stringify({
      apiVersion: 'pkg.crossplane.io/v1',
      kind: 'Provider',
      metadata: { name: `provider-${p.name}`, labels },
      spec: { package: p.package },
    });
  }
  const context = { namespace: config.namespace, version, providers: providers.map((p) => ({ name: `provider-${p.name}`, package: p.package, crd_group: p.crd_group })) };
  return {
    files,
    capabilities: {
      'infrastructure-provisioning': {
        provider: 'crossplane',
        version,
        namespace: config.namespace,
        providers: providers.map(({ name, package: pkg }) => ({ name, package: pkg })),
      },
    },
    scriptContext: {
      wait: context,
      validate: context,
      // The providers' application first: Crossplane still runs while the providers go.
      'release-resources': { gitops_namespace: gitops.namespace, applications: ['crossplane-providers', 'crossplane'], providers: providers.map((p) => `provider-${p.name}`) },
    },
  };
});
