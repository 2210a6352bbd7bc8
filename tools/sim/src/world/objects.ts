/**
 * The simulated API server's objects: what kinds it serves (built in, or by a CRD version marked served),
 * storing applied objects as the API server would (namespaced or not, stringData folded into data), and
 * the live view kubectl reads: stored objects with their status, plus nodes and the CNI's pods derived
 * from the world. Controllers (controllers.ts) run before every read.
 */
import { mergeMaps } from './merge';
import { talosVersion, type Doc, type World } from './world';

/** Kinds every cluster serves (group/version → kinds), besides CRDs. */
const BUILTIN: Record<string, string[]> = {
  v1: ['Namespace', 'Secret', 'ConfigMap', 'Service', 'ServiceAccount', 'Pod', 'Node'],
  'apps/v1': ['Deployment', 'DaemonSet', 'StatefulSet'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
};
const CLUSTER_SCOPED_BUILTIN = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
const SHORT: Record<string, string> = {
  no: 'Node',
  node: 'Node',
  nodes: 'Node',
  po: 'Pod',
  pod: 'Pod',
  pods: 'Pod',
  ns: 'Namespace',
  namespace: 'Namespace',
  namespaces: 'Namespace',
  secret: 'Secret',
  secrets: 'Secret',
  cm: 'ConfigMap',
  configmap: 'ConfigMap',
  configmaps: 'ConfigMap',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  crd: 'CustomResourceDefinition',
  crds: 'CustomResourceDefinition',
  customresourcedefinition: 'CustomResourceDefinition',
  customresourcedefinitions: 'CustomResourceDefinition',
};

function crds(world: World): Doc[] {
  return [...world.cluster.objects.values()].filter((o) => o.kind === 'CustomResourceDefinition');
}

export function clusterScoped(world: World, kind: string): boolean {
  if (CLUSTER_SCOPED_BUILTIN.has(kind)) return true;
  return crds(world).some((c) => c.spec.names.kind === kind && c.spec.scope === 'Cluster');
}

export function objectKey(world: World, kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${clusterScoped(world, kind) ? '' : (namespace ?? 'default')}/${name}`;
}

/** The kind a kubectl resource word means (`deploy`, `applications.argoproj.io`, `provider`…). */
export function kindOf(world: World, word: string): string | undefined {
  const lower = word.toLowerCase();
  if (SHORT[lower]) return SHORT[lower];
  for (const c of crds(world)) {
    const n = c.spec.names;
    if ([n.plural, n.singular, n.kind?.toLowerCase(), ...(n.shortNames ?? []), c.metadata.name].includes(lower)) return n.kind;
  }
  return undefined;
}

/** Is `apiVersion` `kind` served: built in, or by a CRD version marked served? */
export function served(world: World, apiVersion: string, kind: string): boolean {
  if (BUILTIN[apiVersion]?.includes(kind)) return true;
  const [group, version] = apiVersion.split('/');
  return crds(world).some((c) => c.spec.group === group && c.spec.names.kind === kind && c.spec.versions.some((v: Doc) => v.name === version && v.served));
}

/**
 * Store objects as the API server would; returns kubectl's lines, or the first error. Applying to an
 * existing object keeps the fields the applied manifest does not set (like server-side apply keeps other
 * managers' fields: a re-applied install manifest does not wipe a password set by a patch).
 */
export function applyObjects(world: World, docs: Doc[], defaultNs = 'default'): { lines: string[]; error?: string } {
  const lines: string[] = [];
  for (const doc of docs) {
    if (!doc?.kind || !doc.apiVersion || !doc.metadata?.name) return { lines, error: 'error: error validating data: apiVersion, kind and metadata.name are required' };
    if (!served(world, doc.apiVersion, doc.kind)) {
      return {
        lines,
        error: `error: resource mapping not found for name: "${doc.metadata.name}" namespace: "${doc.metadata.namespace ?? ''}" from "STDIN": no matches for kind "${doc.kind}" in version "${doc.apiVersion}"\nensure CRDs are installed first`,
      };
    }
    const ns = clusterScoped(world, doc.kind) ? undefined : (doc.metadata.namespace ?? defaultNs);
    const key = objectKey(world, doc.kind, ns, doc.metadata.name);
    const existing = world.cluster.objects.get(key);
    const stored: Doc = existing ? mergeMaps(structuredClone(existing), structuredClone(doc)) : structuredClone(doc);
    stored.metadata = { ...stored.metadata, ...(ns ? { namespace: ns } : {}) };
    if (doc.kind === 'Secret' && stored.stringData) {
      stored.data = {
        ...(stored.data ?? {}),
        ...Object.fromEntries(Object.entries(stored.stringData as Record<string, string>).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])),
      };
      delete stored.stringData;
    }
    world.cluster.objects.set(key, stored);
    if (!existing) world.cluster.createdAt.set(key, world.now());
    lines.push(
      `${doc.kind.toLowerCase()}${doc.apiVersion.includes('/') && !BUILTIN[doc.apiVersion] ? `.${doc.apiVersion.split('/')[0]}` : ''}/${doc.metadata.name} ${existing ? 'configured' : 'created'}`,
    );
  }
  return { lines };
}

export function findObject(world: World, kind: string, namespace: string | undefined, name: string): Doc | undefined {
  return world.cluster.objects.get(objectKey(world, kind, namespace, name));
}

/** Is a workload (Deployment, StatefulSet, DaemonSet) ready? The CNI's own run on the host network. */
export function workloadReady(world: World, o: Doc): boolean {
  const c = world.cluster;
  if (o.metadata?.labels?.['app.kubernetes.io/part-of'] === 'cilium' || ['cilium', 'cilium-operator'].includes(o.metadata?.name)) return c.cniReady();
  const created = c.createdAt.get(objectKey(world, o.kind, o.metadata.namespace, o.metadata.name)) ?? 0;
  // A Deployment's or StatefulSet's pods need a Ready node they were not evicted from (drained); a DaemonSet's run on every node.
  return c.cniReady() && c.nodes().some((n) => n.ready && (o.kind === 'DaemonSet' || !n.drained)) && world.now() >= created + world.timing.workloadMs;
}

/** A DaemonSet runs a pod on every Node; those on NotReady nodes (off, reinstalled) are not ready. */
function withStatus(world: World, o: Doc, nodeCount: number, readyNodes: number): Doc {
  const ready = workloadReady(world, o);
  switch (o.kind) {
    case 'DaemonSet':
      return {
        ...o,
        status: { desiredNumberScheduled: nodeCount, numberReady: ready ? readyNodes : 0, updatedNumberScheduled: nodeCount, numberAvailable: ready ? readyNodes : 0 },
      };
    case 'Deployment':
    case 'StatefulSet': {
      const replicas = Number(o.spec?.replicas ?? 1);
      return { ...o, status: { replicas, readyReplicas: ready ? replicas : 0, availableReplicas: ready ? replicas : 0, updatedReplicas: replicas } };
    }
    case 'CustomResourceDefinition':
      return {
        ...o,
        status: {
          conditions: [
            { type: 'NamesAccepted', status: 'True' },
            { type: 'Established', status: 'True' },
          ],
          acceptedNames: o.spec.names,
        },
      };
    default:
      return o;
  }
}

function nodeObjects(world: World): Doc[] {
  return world.cluster.nodes().map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...(n.role === 'controlplane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } },
    spec: n.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } : {},
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }],
      conditions: [
        {
          type: 'Ready',
          status: n.ready ? 'True' : 'False',
          reason: n.ready ? 'KubeletReady' : 'KubeletNotReady',
          message: n.ready
            ? 'kubelet is posting ready status'
            : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
        },
      ],
      nodeInfo: { kubeletVersion: n.kubeletVersion, osImage: `Talos (${talosVersion(world.machineByIp(n.ip)?.disk.image) ?? 'unknown'})` },
    },
  }));
}

/**
 * Pods of a workload: one per node for a DaemonSet, `replicas` for the others, spread over the nodes
 * (not those drained: their pods were evicted and run elsewhere, or stay Pending when no node is left).
 */
function podsOf(world: World, o: Doc, allNodes: Doc[]): Doc[] {
  const nodes = o.kind === 'DaemonSet' ? allNodes : allNodes.filter((n) => !world.cluster.registered.get(n.metadata.name)?.drained);
  const ready = workloadReady(world, o) && nodes.length > 0;
  const count = o.kind === 'DaemonSet' ? nodes.length : Number(o.spec?.replicas ?? 1);
  const emptyDirs = ((o.spec?.template?.spec?.volumes as Doc[] | undefined) ?? []).filter((v) => v.emptyDir);
  // A pod runs its template's containers, images included (every pod follows its template at once in the sim).
  const specs = (o.spec?.template?.spec?.containers as Doc[] | undefined)?.map((c) => ({ name: String(c.name), ...(c.image !== undefined && { image: String(c.image) }) })) ?? [
    { name: o.kind === 'DaemonSet' && o.metadata.name === 'cilium' ? 'cilium-agent' : String(o.metadata.name) },
  ];
  const containers = specs.map((c) => c.name);
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${o.metadata.name}-${(1000 + i * 37).toString(36)}${o.kind === 'Deployment' ? '-x7k2p' : ''}`,
      namespace: o.metadata.namespace,
      labels: o.spec?.selector?.matchLabels ?? o.spec?.template?.metadata?.labels ?? {},
      ownerReferences: [{ kind: o.kind, name: o.metadata.name }],
    },
    spec: {
      nodeName: nodes[i % Math.max(nodes.length, 1)]?.metadata.name,
      containers: specs,
      ...(emptyDirs.length ? { volumes: emptyDirs.map((v) => ({ name: v.name, emptyDir: {} })) } : {}),
    },
    status: {
      phase: world.cluster.cni?.broken && nodes.length ? 'Running' : ready ? 'Running' : 'Pending',
      containerStatuses: containers.map((name) => ({ name, ready, restartCount: world.cluster.cni?.broken ? 4 : 0 })),
    },
  }));
}

/** Every object the API lists now. */
export function liveObjects(world: World): Doc[] {
  const nodes = nodeObjects(world);
  const readyNodes = nodes.filter((n) => n.status.conditions[0].status === 'True').length;
  const out: Doc[] = [...nodes];
  for (const o of world.cluster.objects.values()) {
    out.push(withStatus(world, o, nodes.length, readyNodes));
    if (['DaemonSet', 'Deployment', 'StatefulSet'].includes(o.kind)) out.push(...podsOf(world, o, nodes));
  }
  return out;
}
