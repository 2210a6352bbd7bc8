/**
 * What runs inside the simulated cluster, reconciled before every read: Argo CD (once its application
 * controller and repo-server run) syncs Applications from git repositories (the session's workspace
 * stands for the control-plane repository, fetched with the repository credentials the run created) and
 * from the Helm charts it knows, and Crossplane (once its pod runs) installs Provider packages and their
 * CRDs. Status is written the way scripts read it: Application sync/health, Provider conditions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { upstreamFile, upstreamYaml } from '../../../upstream/upstream';
import { applyObjects, findObject, objectKey, workloadReady } from './objects';
import type { Doc, World } from './world';

const ARGO = 'argoproj.io/v1alpha1';

/** Charts Argo CD can render in the simulation (repo → chart → objects for a version, or undefined). */
const CHARTS: Record<string, Record<string, (version: string, ns: string) => Doc[] | undefined>> = {
  'https://charts.crossplane.io/stable': {
    crossplane: (version, ns) => {
      const minor = version.replace(/^v/, '').split('.').slice(0, 2).join('.');
      const vendored = { '1.16': 'crossplane/v1.16.5', '2.0': 'crossplane/v2.0.8' }[minor];
      if (!vendored) return undefined;
      const providerCrd = parseAllDocuments(upstreamFile(`${vendored}/pkg.crossplane.io_providers.yaml`)).map((d) => d.toJSON() as Doc)[0]!;
      return [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        providerCrd,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'crossplane', namespace: ns, labels: { app: 'crossplane' } },
          // The chart's image (its values.yaml repository) at the chart's appVersion: the version running.
          spec: {
            replicas: 1,
            template: {
              spec: { containers: [{ name: 'crossplane', image: `${String(upstreamYaml<Doc>(`${vendored}/values.yaml`).image.repository)}:v${version.replace(/^v/, '')}` }] },
            },
          },
        },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'crossplane-rbac-manager', namespace: ns }, spec: { replicas: 1 } },
      ];
    },
  },
};

/** Provider packages the simulated registry has: repository → the CRDs the provider serves. */
const PACKAGES: Record<string, { group: string; kinds: string[] }> = {
  'xpkg.upbound.io/crossplane-contrib/provider-kubernetes': { group: 'kubernetes.crossplane.io', kinds: ['Object', 'ProviderConfig', 'ProviderConfigUsage'] },
  'xpkg.upbound.io/crossplane-contrib/provider-helm': { group: 'helm.crossplane.io', kinds: ['Release', 'ProviderConfig', 'ProviderConfigUsage'] },
  'xpkg.upbound.io/upbound/provider-family-aws': { group: 'aws.upbound.io', kinds: ['ProviderConfig', 'ProviderConfigUsage', 'StoreConfig'] },
};

const crd = (group: string, kind: string): Doc => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.${group}` },
  // categories as the providers' CRDs have them: a managed resource's CRD is in category "managed".
  spec: {
    group,
    names: {
      kind,
      plural: `${kind.toLowerCase()}s`,
      singular: kind.toLowerCase(),
      categories: ['crossplane', /^(ProviderConfig|StoreConfig)/.test(kind) ? 'provider' : 'managed'],
    },
    scope: 'Cluster',
    versions: [{ name: 'v1alpha1', served: true, storage: true }],
  },
});

function running(world: World, kind: string, name: string): Doc | undefined {
  const o = [...world.cluster.objects.values()].find((x) => x.kind === kind && x.metadata.name === name);
  return o && workloadReady(world, o) ? o : undefined;
}

/** `*\/app.yaml`, `{a,b}/**` → RegExp over slash-separated relative paths. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '{') re += '(';
    else if (ch === '}') re += ')';
    else if (ch === ',') re += '|';
    else re += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The repository credentials Argo CD has for `url`: a repository Secret with the GitHub App's ids and key. */
function credentialsFor(world: World, ns: string, url: string): string | undefined {
  const decode = (s: Doc, k: string) => Buffer.from(String(s.data?.[k] ?? ''), 'base64').toString();
  const secret = [...world.cluster.objects.values()].find(
    (o) =>
      o.kind === 'Secret' &&
      o.metadata.namespace === ns &&
      o.metadata.labels?.['argocd.argoproj.io/secret-type'] === 'repository' &&
      decode(o, 'url').replace(/\.git$/, '') === url,
  );
  if (!secret) return `authentication required: no repository credentials for ${url}`;
  const gh = world.github;
  if (decode(secret, 'githubAppID') !== gh.appId || decode(secret, 'githubAppInstallationID') !== gh.installationId)
    return `failed to get GitHub App installation token: installation ${decode(secret, 'githubAppInstallationID')} of App ${decode(secret, 'githubAppID')} not found`;
  if (decode(secret, 'githubAppPrivateKey').trim() !== gh.privateKeyPem.trim()) return 'failed to get GitHub App installation token: A JSON web token could not be decoded';
  return undefined;
}

/** The manifests an Application's source renders, or why it cannot. */
function manifestsOf(world: World, app: Doc): { docs?: Doc[]; error?: string } {
  const src = app.spec.source as Doc;
  const url = String(src.repoURL).replace(/\.git$/, '');
  if (src.chart) {
    const chart = CHARTS[url]?.[src.chart];
    const docs = chart?.(String(src.targetRevision), app.spec.destination.namespace);
    return docs ? { docs } : { error: `failed to fetch chart: chart "${String(src.chart)}" version "${String(src.targetRevision)}" not found in ${url}` };
  }
  const repo = world.repositories[url];
  if (!repo) return { error: `rpc error: code = Unknown desc = repository not found: ${url}` };
  const denied = credentialsFor(world, app.metadata.namespace, url);
  if (denied) return { error: `rpc error: code = Unknown desc = ${denied}` };
  const dir = join(repo, src.path ?? '');
  if (!existsSync(dir)) return { error: `app path does not exist: ${String(src.path)}` };
  const include = src.directory?.include ? globRegex(src.directory.include) : /.*/;
  const files = (src.directory?.recurse ? listFiles(dir) : readdirSync(dir)).filter((f) => /\.(ya?ml|json)$/.test(f) && include.test(f));
  return { docs: files.flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as Doc)).filter(Boolean) };
}

function healthOf(world: World, o: Doc): 'Healthy' | 'Progressing' | 'Degraded' {
  if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) return workloadReady(world, o) ? 'Healthy' : 'Progressing';
  if (o.kind === 'Provider') {
    const conditions = (findObject(world, 'Provider', undefined, o.metadata.name)?.status?.conditions ?? []) as Doc[];
    if (conditions.some((c) => c.type === 'Installed' && c.status === 'False')) return 'Degraded';
    return conditions.some((c) => c.type === 'Healthy' && c.status === 'True') ? 'Healthy' : 'Progressing';
  }
  return 'Healthy';
}

function syncApplication(world: World, app: Doc): void {
  const ns = app.metadata.namespace;
  if (!findObject(world, 'AppProject', ns, app.spec.project)) {
    app.status = {
      sync: { status: 'Unknown' },
      health: { status: 'Unknown' },
      conditions: [{ type: 'InvalidSpecError', message: `Application referencing project ${String(app.spec.project)} which does not exist` }],
    };
    return;
  }
  const { docs, error } = manifestsOf(world, app);
  if (error || !docs) {
    app.status = { sync: { status: 'Unknown' }, health: { status: 'Unknown' }, conditions: [{ type: 'ComparisonError', message: error }] };
    return;
  }
  const result = applyObjects(world, docs, app.spec.destination.namespace);
  if (result.error) {
    app.status = {
      sync: { status: 'OutOfSync' },
      health: { status: 'Missing' },
      operationState: { phase: 'Failed', message: `one or more objects failed to apply, reason: ${result.error.split('\n')[0]} (retrying)` },
    };
    return;
  }
  const health = docs.map((d) => healthOf(world, d));
  const status = health.includes('Degraded') ? 'Degraded' : health.includes('Progressing') ? 'Progressing' : 'Healthy';
  app.status = {
    sync: { status: 'Synced', revision: 'HEAD' },
    health: { status },
    resources: docs.map((d) => ({ kind: d.kind, namespace: d.metadata.namespace ?? app.spec.destination.namespace, name: d.metadata.name })),
  };
}

function reconcileProviders(world: World): void {
  const operator = running(world, 'Deployment', 'crossplane');
  for (const p of world.cluster.objects.values()) {
    if (p.kind !== 'Provider' || !p.apiVersion.startsWith('pkg.crossplane.io/')) continue;
    if (!operator) continue;
    const created = world.cluster.createdAt.get(objectKey(world, 'Provider', undefined, String(p.metadata.name))) ?? 0;
    const [repo, tag] = String(p.spec.package).split(/:(?=[^:/]+$)/);
    const pkg = PACKAGES[repo ?? ''];
    if (!pkg || !/^v\d+\.\d+\.\d+$/.test(tag ?? '')) {
      p.status = {
        conditions: [
          {
            type: 'Installed',
            status: 'False',
            reason: 'UnpackPackage',
            message: `cannot unpack package: failed to fetch package digest from remote: ${String(p.spec.package)}: not found`,
          },
        ],
      };
      continue;
    }
    if (world.now() < created + world.timing.providerMs) {
      p.status = {
        conditions: [
          { type: 'Installed', status: 'True', reason: 'ActivePackageRevision' },
          { type: 'Healthy', status: 'Unknown', reason: 'UnknownPackageRevisionHealth' },
        ],
      };
      continue;
    }
    applyObjects(
      world,
      pkg.kinds.map((k) => crd(pkg.group, k)),
    );
    p.status = {
      conditions: [
        { type: 'Installed', status: 'True', reason: 'ActivePackageRevision' },
        { type: 'Healthy', status: 'True', reason: 'HealthyPackageRevision' },
      ],
      currentIdentifier: p.spec.package,
    };
  }
}

/** Let the cluster's controllers act on what they see now. */
export function reconcile(world: World): void {
  const argo = running(world, 'StatefulSet', 'argocd-application-controller') && running(world, 'Deployment', 'argocd-repo-server');
  if (argo) {
    // Applications created by a sync are synced in the same pass (the app of apps fans out at once).
    for (let pass = 0; pass < 3; pass++) {
      const keys = [...world.cluster.objects].filter(([, o]) => o.kind === 'Application' && o.apiVersion === ARGO && o.spec?.syncPolicy?.automated).map(([k]) => k);
      // By key: a sync may replace an Application object (the app of apps re-applies its children).
      for (const key of keys) syncApplication(world, world.cluster.objects.get(key)!);
    }
  }
  reconcileProviders(world);
  if (running(world, 'Deployment', 'argocd-server')) {
    const server = [...world.cluster.objects.values()].find((o) => o.kind === 'Deployment' && o.metadata.name === 'argocd-server')!;
    const ns = server.metadata.namespace;
    const secret = findObject(world, 'Secret', ns, 'argocd-secret');
    if (!secret?.data?.['admin.password'] && !findObject(world, 'Secret', ns, 'argocd-initial-admin-secret') && !world.cluster.initialAdminSecretMade) {
      world.cluster.initialAdminSecretMade = true;
      applyObjects(world, [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'argocd-initial-admin-secret', namespace: ns }, stringData: { password: world.credential('argocd-initial-admin') } },
      ]);
    }
  }
}
