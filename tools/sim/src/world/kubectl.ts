/**
 * kubectl against the simulated cluster. It needs a kubeconfig whose CA is the cluster's and an API
 * server that answers (after etcd is bootstrapped); then nodes register as their Talos machines come up,
 * NotReady until the CNI runs. Objects applied or installed (Helm) are kept; nodes and the CNI's pods are
 * derived from the world's state. Output formats are what scripts parse: `-o json`, `--raw`, tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { first, parseArgs, type ParsedArgs } from './args';
import { durationMs, fail, ok, pathIn, waitFor, type ExecRequest, type ExecResult } from './exec';
import type { Doc, World } from './world';

const SPEC = {
  values: ['kubeconfig', 'namespace', 'output', 'selector', 'filename', 'timeout', 'for', 'container', 'field-manager', 'raw', 'context', 'kustomize'],
  aliases: { n: 'namespace', o: 'output', l: 'selector', f: 'filename', c: 'container', k: 'kustomize' },
};

/** Kinds every cluster serves (group/version → kinds), besides CRDs. */
const BUILTIN: Record<string, string[]> = {
  v1: ['Namespace', 'Secret', 'ConfigMap', 'Service', 'ServiceAccount', 'Pod', 'Node'],
  'apps/v1': ['Deployment', 'DaemonSet', 'StatefulSet'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
};
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
const SHORT: Record<string, string> = {
  no: 'Node', node: 'Node', nodes: 'Node', po: 'Pod', pod: 'Pod', pods: 'Pod', ns: 'Namespace', namespace: 'Namespace', namespaces: 'Namespace',
  secret: 'Secret', secrets: 'Secret', cm: 'ConfigMap', configmap: 'ConfigMap', ds: 'DaemonSet', daemonset: 'DaemonSet', daemonsets: 'DaemonSet',
  deploy: 'Deployment', deployment: 'Deployment', deployments: 'Deployment', crd: 'CustomResourceDefinition', crds: 'CustomResourceDefinition',
  customresourcedefinition: 'CustomResourceDefinition', customresourcedefinitions: 'CustomResourceDefinition',
};

export const objectKey = (kind: string, namespace: string | undefined, name: string) => `${kind}/${CLUSTER_SCOPED.has(kind) ? '' : (namespace ?? 'default')}/${name}`;

/** Is this kubeconfig allowed in, and does the API answer? */
export function connect(world: World, req: ExecRequest, a: ParsedArgs): ExecResult | undefined {
  const file = first(a, 'kubeconfig') ?? req.env.KUBECONFIG ?? `${req.env.HOME}/.kube/config`;
  if (!existsSync(pathIn(req, file))) return fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
  const cfg = parse(readFileSync(pathIn(req, file), 'utf8')) as Doc;
  const cluster = cfg.clusters?.[0]?.cluster ?? {};
  const host = String(cluster.server ?? '').replace(/^https:\/\//, '');
  const ca = Buffer.from(String(cluster['certificate-authority-data'] ?? ''), 'base64').toString();
  if (!world.cluster.apiUp() || !world.machines.some((m) => host.startsWith(`${m.ip}:`))) return fail(`Unable to connect to the server: dial tcp ${host}: connect: connection refused`);
  if (ca !== `SIM-CERT k8s ${world.cluster.id}`) return fail('Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
  return undefined;
}

/** Every object the API would list now: stored ones, with nodes and CNI pods derived from the world. */
export function liveObjects(world: World): Doc[] {
  const c = world.cluster;
  const nodes = c.nodes().map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...(n.role === 'controlplane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } },
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }],
      conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False', reason: n.ready ? 'KubeletReady' : 'KubeletNotReady', message: n.ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }],
      nodeInfo: { kubeletVersion: 'v1.34.1', osImage: 'Talos (v1.11.5)' },
    },
  }));
  const derived: Doc[] = [...nodes];
  for (const o of c.objects.values()) {
    derived.push(o);
    if (o.kind === 'DaemonSet') {
      nodes.forEach((n, i) => {
        const ready = c.cniReady();
        derived.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${o.metadata.name}-${(1000 + i * 37).toString(36)}`, namespace: o.metadata.namespace, labels: o.spec?.selector?.matchLabels ?? {} },
          spec: { nodeName: n.metadata.name, containers: [{ name: 'cilium-agent' }] },
          status: { phase: c.cni?.broken ? 'Running' : ready ? 'Running' : 'Pending', containerStatuses: [{ name: 'cilium-agent', ready, restartCount: c.cni?.broken ? 4 : 0 }] },
        });
      });
    }
  }
  return derived.map((o) => withStatus(world, o, nodes.length));
}

function withStatus(world: World, o: Doc, nodeCount: number): Doc {
  const ready = world.cluster.cniReady();
  if (o.kind === 'DaemonSet') return { ...o, status: { desiredNumberScheduled: nodeCount, numberReady: ready ? nodeCount : 0, updatedNumberScheduled: nodeCount, numberAvailable: ready ? nodeCount : 0 } };
  if (o.kind === 'Deployment') {
    const replicas = Number(o.spec?.replicas ?? 1);
    const up = ready && nodeCount > 0;
    return { ...o, status: { replicas, readyReplicas: up ? replicas : 0, availableReplicas: up ? replicas : 0, updatedReplicas: replicas } };
  }
  return o;
}

function kindOf(word: string, world: World): string | undefined {
  const lower = word.toLowerCase();
  if (SHORT[lower]) return SHORT[lower];
  for (const crd of world.cluster.objects.values()) {
    if (crd.kind !== 'CustomResourceDefinition') continue;
    const names = crd.spec.names;
    if ([names.plural, names.singular, names.kind?.toLowerCase(), ...(names.shortNames ?? []), crd.metadata.name].includes(lower)) return names.kind;
  }
  return undefined;
}

function matches(o: Doc, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return o.metadata?.labels?.[k!] === v;
  });
}

function get(world: World, a: ParsedArgs): ExecResult {
  const raw = first(a, 'raw');
  if (raw !== undefined) return raw === '/readyz' || raw === '/healthz' || raw === '/livez' ? ok('ok') : fail(`Error from server (NotFound): the server could not find the requested resource`);
  const [, what, name] = a.positionals;
  if (!what) return fail('error: you must specify the type of resource to get');
  const [typeWord, inlineName] = what.split('/');
  const kind = kindOf(typeWord!, world);
  if (!kind) return fail(`error: the server doesn't have a resource type "${typeWord}"`);
  const ns = first(a, 'namespace') ?? 'default';
  const wanted = name ?? inlineName;
  const all = liveObjects(world).filter((o) => o.kind === kind && (CLUSTER_SCOPED.has(kind) || a.bools.has('all-namespaces') || (o.metadata.namespace ?? 'default') === ns));
  const items = all.filter((o) => (!wanted || o.metadata.name === wanted) && matches(o, first(a, 'selector')));
  if (wanted && items.length === 0) return fail(`Error from server (NotFound): ${kind.toLowerCase()}s "${wanted}" not found`);
  const output = first(a, 'output');
  if (output === 'json') return ok(`${JSON.stringify(wanted ? items[0] : { apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`);
  if (output === 'name') return ok(items.map((o) => `${kind.toLowerCase()}/${o.metadata.name}\n`).join(''));
  if (items.length === 0) return ok('', );
  const rows = items.map((o) => (kind === 'Node' ? `${o.metadata.name}   ${o.status.conditions[0].status === 'True' ? 'Ready' : 'NotReady'}    <none>   1m    v1.34.1` : `${o.metadata.name}`));
  return ok(`${kind === 'Node' ? 'NAME   STATUS   ROLES   AGE   VERSION' : 'NAME'}\n${rows.join('\n')}\n`);
}

async function rollout(world: World, a: ParsedArgs): Promise<ExecResult> {
  const [, sub, target] = a.positionals;
  if (sub !== 'status' || !target) return fail('error: only "kubectl rollout status <kind>/<name>" is simulated');
  const [typeWord, name] = target.split('/');
  const kind = kindOf(typeWord!, world);
  const ns = first(a, 'namespace') ?? 'default';
  const find = () => liveObjects(world).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
  if (!find()) return fail(`Error from server (NotFound): ${String(kind).toLowerCase()}s.apps "${name}" not found`);
  const done = () => {
    const o = find()!;
    return kind === 'DaemonSet' ? o.status.desiredNumberScheduled > 0 && o.status.numberReady === o.status.desiredNumberScheduled : o.status.readyReplicas === o.status.replicas;
  };
  if (await waitFor(done, durationMs(first(a, 'timeout'), 30_000))) {
    return ok(kind === 'DaemonSet' ? `daemon set "${name}" successfully rolled out\n` : `deployment "${name}" successfully rolled out\n`);
  }
  const o = find()!;
  const progress = kind === 'DaemonSet' ? `${o.status.numberReady} of ${o.status.desiredNumberScheduled} updated pods are available` : `${o.status.readyReplicas} of ${o.status.replicas} updated replicas are available`;
  return { code: 1, stdout: `Waiting for ${kind === 'DaemonSet' ? 'daemon set' : 'deployment'} "${name}" rollout to finish: ${progress}...\n`, stderr: 'error: timed out waiting for the condition\n' };
}

/** Is `apiVersion` `kind` served: built in, or by a CRD version marked served? */
export function served(world: World, apiVersion: string, kind: string): boolean {
  if (BUILTIN[apiVersion]?.includes(kind)) return true;
  const [group, version] = apiVersion.split('/');
  return [...world.cluster.objects.values()].some(
    (o) => o.kind === 'CustomResourceDefinition' && o.spec.group === group && o.spec.names.kind === kind && o.spec.versions.some((v: Doc) => v.name === version && v.served),
  );
}

/** Store objects as the API server would: checked against what it serves; returns kubectl's lines. */
export function applyObjects(world: World, docs: Doc[], defaultNs = 'default'): { lines: string[]; error?: string } {
  const lines: string[] = [];
  for (const doc of docs) {
    if (!doc?.kind || !doc.apiVersion || !doc.metadata?.name) return { lines, error: 'error: error validating data: apiVersion, kind and metadata.name are required' };
    if (!served(world, doc.apiVersion, doc.kind)) return { lines, error: `error: resource mapping not found for name: "${doc.metadata.name}" namespace: "" from "STDIN": no matches for kind "${doc.kind}" in version "${doc.apiVersion}"\nensure CRDs are installed first` };
    const ns = CLUSTER_SCOPED.has(doc.kind) ? undefined : (doc.metadata.namespace ?? defaultNs);
    const stored = { ...doc, metadata: { ...doc.metadata, ...(ns ? { namespace: ns } : {}) } };
    const key = objectKey(doc.kind, ns, doc.metadata.name);
    const existed = world.cluster.objects.has(key);
    world.cluster.objects.set(key, stored);
    lines.push(`${doc.kind.toLowerCase()}/${doc.metadata.name} ${existed ? 'configured' : 'created'}`);
  }
  return { lines };
}

function apply(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const file = first(a, 'filename');
  if (!file) return fail('error: must specify one of -f and -k');
  const text = file === '-' ? (req.stdin?.toString() ?? '') : readFileSync(pathIn(req, file), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJSON() as Doc).filter(Boolean);
  const { lines, error } = applyObjects(world, docs, first(a, 'namespace'));
  const verb = a.bools.has('server-side') ? 'serverside-applied' : undefined;
  const out = lines.map((l) => (verb ? l.replace(/ (created|configured)$/, ` ${verb}`) : l)).join('\n');
  return error ? { code: 1, stdout: out ? `${out}\n` : '', stderr: `${error}\n` } : ok(`${out}\n`);
}

function exec(world: World, a: ParsedArgs): ExecResult {
  const pod = a.positionals[1];
  const ns = first(a, 'namespace') ?? 'default';
  const found = liveObjects(world).find((o) => o.kind === 'Pod' && o.metadata.name === pod && o.metadata.namespace === ns);
  if (!found) return fail(`Error from server (NotFound): pods "${pod}" not found`);
  const cmd = a.rest.join(' ');
  if (/^cilium(-dbg)? status --brief$/.test(cmd)) {
    if (!found.status.containerStatuses[0].ready) return fail('error: unable to upgrade connection: container not found ("cilium-agent")');
    return ok('OK\n');
  }
  return fail(`OCI runtime exec failed: exec failed: "${cmd}" is not simulated in ${String(pod)}`, 126);
}

export async function kubectl(world: World, req: ExecRequest): Promise<ExecResult> {
  const a = parseArgs(req.argv, SPEC);
  const verb = a.positionals[0];
  if (verb === 'version' && a.bools.has('client')) return ok('Client Version: v1.34.1\n');
  const refused = connect(world, req, a);
  if (refused) return refused;
  switch (verb) {
    case 'get':
      return get(world, a);
    case 'rollout':
      return rollout(world, a);
    case 'apply':
      return apply(world, req, a);
    case 'exec':
      return exec(world, a);
    case 'version':
      return ok('Client Version: v1.34.1\nServer Version: v1.34.1\n');
    default:
      return fail(`error: "kubectl ${String(verb)}" is not simulated`);
  }
}
