/**
 * helm against the simulated cluster, for the charts ZTC adapters install. A chart version must exist
 * in its repository (the sim knows every patch version of a minor whose chart is vendored under
 * tools/upstream: Cilium 1.18 and 1.19), values (the files, then --set) are checked against that vendored
 * chart's values.schema.json as Helm does on install, and installing creates the chart's workloads (their
 * images at the chart's tag, so an upgrade shows the new version running) and CRDs; `uninstall` removes
 * them. A values file that cannot work on Talos (kube-proxy off without KubePrism, SYS_MODULE kept) leaves
 * the Cilium agents crash-looping, as on a real cluster.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describeErrors, upstreamValidator, upstreamYaml } from '../../../upstream/upstream';
import { first, parseArgs, type ParsedArgs } from './args';
import { fail, ok, pathIn, type ExecRequest, type ExecResult } from './exec';
import { connect } from './kubectl';
import { mergeMaps } from './merge';
import { applyObjects, objectKey } from './objects';
import type { Doc, World } from './world';

const SPEC = {
  values: ['kubeconfig', 'namespace', 'output', 'values', 'version', 'repo', 'description', 'filter', 'timeout', 'set'],
  aliases: { n: 'namespace', o: 'output', f: 'values' },
};

interface Chart {
  repo: string;
  name: string;
  /** The versions the repository has. */
  versions: RegExp;
  /** The vendored chart (tools/upstream/<name>/<version>) whose values.yaml and schema stand for `version`. */
  vendored(version: string): string;
  /** `values` are the user's values merged over the vendored chart's defaults. */
  install(world: World, ns: string, values: Doc, version: string): Doc[];
  /** Why the workloads would not come up with these values on this cluster (undefined: they do). */
  broken?(world: World, values: Doc): string | undefined;
}

const crd = (group: string, kind: string, plural: string, versions: { name: string; served: boolean; storage: boolean }[]): Doc => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: { group, names: { kind, plural, singular: kind.toLowerCase() }, scope: 'Cluster', versions },
});

const CILIUM_BGP = [
  ['CiliumBGPClusterConfig', 'ciliumbgpclusterconfigs'],
  ['CiliumBGPPeerConfig', 'ciliumbgppeerconfigs'],
  ['CiliumBGPAdvertisement', 'ciliumbgpadvertisements'],
  ['CiliumBGPNodeConfig', 'ciliumbgpnodeconfigs'],
  ['CiliumBGPNodeConfigOverride', 'ciliumbgpnodeconfigoverrides'],
];

const CHARTS: Chart[] = [
  {
    repo: 'https://helm.cilium.io',
    name: 'cilium',
    // Any 1.18.x or 1.19.x is in the repository; values are checked against the vendored chart of that minor.
    versions: /^1\.(18|19)\.\d+$/,
    vendored: (version) => (version.startsWith('1.19.') ? '1.19.6' : '1.18.5'),
    install: (_world, ns, values, version) => [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'cilium', namespace: ns, labels: { 'k8s-app': 'cilium' } },
        spec: {
          selector: { matchLabels: { 'k8s-app': 'cilium' } },
          template: { spec: { containers: [{ name: 'cilium-agent', image: `${String(values.image?.repository ?? 'quay.io/cilium/cilium')}:v${version}` }] } },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'cilium-operator', namespace: ns },
        spec: {
          replicas: values.operator?.replicas ?? 2,
          template: { spec: { containers: [{ name: 'cilium-operator', image: `quay.io/cilium/operator-generic:v${version}` }] } },
        },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: ns }, data: { 'kube-proxy-replacement': String(values.kubeProxyReplacement) } },
      crd('cilium.io', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', [{ name: 'v2', served: true, storage: true }]),
      crd('cilium.io', 'CiliumNode', 'ciliumnodes', [{ name: 'v2', served: true, storage: true }]),
      // 1.18 serves the BGP control-plane API as v2 (storage) and still as v2alpha1 (deprecated).
      ...CILIUM_BGP.map(([kind, plural]) =>
        crd('cilium.io', kind!, plural!, [
          { name: 'v2alpha1', served: true, storage: false },
          { name: 'v2', served: true, storage: true },
        ]),
      ),
    ],
    broken(world, values) {
      const proxyOff = world.machines.some((m) => m.config?.cluster?.proxy?.disabled === true);
      if (proxyOff && !(values.kubeProxyReplacement === true && values.k8sServiceHost && values.k8sServicePort)) {
        return 'cilium-agent cannot reach the API server: kube-proxy is disabled and k8sServiceHost/k8sServicePort are not set';
      }
      if ((values.securityContext?.capabilities?.ciliumAgent ?? []).includes('SYS_MODULE')) return 'cilium-agent: operation not permitted (Talos does not grant SYS_MODULE)';
      return undefined;
    },
  },
];

/** `--set a.b=c` as a values map (Helm's type guessing for true/false/null/integers; no lists or escapes). */
function setValue(spec: string): Doc {
  const [path, raw = ''] = spec.split(/=(.*)/s);
  const value = raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return path!.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Doc;
}

/** `helm uninstall RELEASE`: the release and the objects its chart made are gone (CRDs stay, as Helm keeps them). */
function uninstall(world: World, a: ParsedArgs): ExecResult {
  const ns = first(a, 'namespace') ?? 'default';
  const name = a.positionals[1];
  const r = world.cluster.releases.get(`${ns}/${name}`);
  if (!r) return a.bools.has('ignore-not-found') ? ok() : fail(`Error: uninstall: Release not loaded: ${String(name)}: release: not found`);
  const chart = CHARTS.find((c) => c.name === r.chart.metadata.name)!;
  for (const o of chart.install(world, ns, r.config as Doc, String(r.chart.metadata.version))) {
    if (o.kind !== 'CustomResourceDefinition') world.cluster.objects.delete(objectKey(world, o.kind, o.metadata.namespace, o.metadata.name));
  }
  world.cluster.releases.delete(`${ns}/${name}`);
  if (chart.name === 'cilium') world.cluster.cni = undefined;
  return ok(`release "${String(name)}" uninstalled\n`);
}

function upgradeInstall(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const [, release, chartName] = a.positionals;
  const repo = (first(a, 'repo') ?? '').replace(/\/$/, '');
  const chart = CHARTS.find((c) => c.repo === repo && c.name === chartName);
  if (!release || !chartName) return fail('Error: "helm upgrade" requires 2 arguments');
  if (!chart) return fail(`Error: chart "${chartName}" not found in ${repo || 'any configured'} repository`);
  const version = first(a, 'version') ?? chart.vendored('');
  if (!chart.versions.test(version)) return fail(`Error: chart "${chartName}" version "${version}" not found in ${repo} repository`);
  const ns = first(a, 'namespace') ?? 'default';
  let values: Doc = {};
  for (const f of a.flags.get('values') ?? []) values = mergeMaps(values, (parse(f === '-' ? (req.stdin?.toString() ?? '') : readFileSync(pathIn(req, f), 'utf8')) as Doc) ?? {});
  for (const s of a.flags.get('set') ?? []) values = mergeMaps(values, setValue(s));
  const vendored = chart.vendored(version);
  const validate = upstreamValidator(`${chartName}/${vendored}/values.schema.json`);
  const effective = mergeMaps(upstreamYaml<Doc>(`${chartName}/${vendored}/values.yaml`), values);
  if (!validate(effective)) {
    return fail(`Error: values don't meet the specifications of the schema(s) in the following chart(s):\n${chartName}:\n- ${describeErrors(validate.errors).join('\n- ')}`);
  }
  const key = `${ns}/${release}`;
  const previous = world.cluster.releases.get(key);
  const { error } = applyObjects(world, chart.install(world, ns, effective, version), ns);
  if (error) return fail(error);
  const revision = (previous?.version ?? 0) + 1;
  const now = new Date().toISOString();
  world.cluster.releases.set(key, {
    name: release,
    namespace: ns,
    version: revision,
    info: {
      status: 'deployed',
      description: first(a, 'description') ?? (previous ? 'Upgrade complete' : 'Install complete'),
      first_deployed: previous?.info.first_deployed ?? now,
      last_deployed: now,
    },
    chart: { metadata: { name: chartName, version, appVersion: version } },
    config: values,
  });
  if (chart.name === 'cilium') world.cluster.cni = { readyAt: world.now() + world.timing.cniMs, broken: chart.broken?.(world, values) };
  const head = previous ? `Release "${release}" has been upgraded. Happy Helming!\n` : `Release "${release}" does not exist. Installing it now.\n`;
  return ok(`${head}NAME: ${release}\nLAST DEPLOYED: ${now}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${revision}\nTEST SUITE: None\n`);
}

export async function helm(world: World, req: ExecRequest): Promise<ExecResult> {
  const a = parseArgs(req.argv, SPEC);
  const verb = a.positionals[0];
  if (verb === 'version') return ok('version.BuildInfo{Version:"v3.19.0", GoVersion:"go1.24.7"}\n');
  const refused = connect(world, req, a);
  if (refused) return fail(`Error: Kubernetes cluster unreachable: ${refused.stderr?.trim()}`);
  const ns = first(a, 'namespace') ?? 'default';
  switch (verb) {
    case 'upgrade':
      if (!a.bools.has('install')) return fail('Error: only "helm upgrade --install" is simulated');
      return upgradeInstall(world, req, a);
    case 'uninstall':
      return uninstall(world, a);
    case 'status': {
      const r = world.cluster.releases.get(`${ns}/${a.positionals[1]}`);
      if (!r) return fail('Error: release: not found');
      return ok(first(a, 'output') === 'json' ? `${JSON.stringify(r)}\n` : `NAME: ${r.name}\nNAMESPACE: ${ns}\nSTATUS: ${r.info.status}\nREVISION: ${r.version}\n`);
    }
    case 'get': {
      const r = world.cluster.releases.get(`${ns}/${a.positionals[2]}`);
      if (a.positionals[1] !== 'values' || !r) return fail('Error: release: not found');
      return ok(`${JSON.stringify(r.config)}\n`);
    }
    case 'list':
      return ok(
        `${JSON.stringify([...world.cluster.releases.values()].filter((r) => r.namespace === ns).map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.version), status: r.info.status, chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`, app_version: r.chart.metadata.appVersion })))}\n`,
      );
    default:
      return fail(`Error: unknown command "${String(verb)}" for "helm" (not simulated)`);
  }
}
