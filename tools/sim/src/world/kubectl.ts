/**
 * kubectl against the simulated cluster. It needs a kubeconfig whose CA is the cluster's and an API
 * server that answers (after etcd is bootstrapped). Verbs: get (tables, -o json|name, --raw), rollout
 * status, apply (-f file or stdin, -k through a real kustomize build, --server-side), create namespace /
 * secret generic (also --dry-run=client -o yaml), patch (merge, --patch-file), delete, and exec into a
 * workload's pod (the command then runs with real bash in a "container" of simulated tools).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { kustomizeBinary, kustomizeBuild } from '../../../upstream/upstream';
import { first, parseArgs, type ParsedArgs } from './args';
import { deleteObject } from './apps';
import { reconcile } from './controllers';
import { durationMs, fail, ok, pathIn, waitFor, type ExecRequest, type ExecResult } from './exec';
import { mergeMaps } from './merge';
import { applyObjects, clusterScoped, findObject, kindOf, liveObjects, objectKey } from './objects';
import type { Doc, World } from './world';

const SPEC = {
  values: [
    'kubeconfig',
    'namespace',
    'output',
    'selector',
    'filename',
    'timeout',
    'for',
    'container',
    'field-manager',
    'raw',
    'context',
    'kustomize',
    'from-file',
    'from-literal',
    'dry-run',
    'type',
    'patch',
    'patch-file',
    'grace-period',
    'pod-selector',
  ],
  aliases: { n: 'namespace', o: 'output', l: 'selector', f: 'filename', c: 'container', k: 'kustomize', p: 'patch' },
};

/** Is this kubeconfig allowed in, and does the API answer? */
export function connect(world: World, req: ExecRequest, a: ParsedArgs): ExecResult | undefined {
  const file = first(a, 'kubeconfig') ?? req.env.KUBECONFIG ?? `${req.env.HOME}/.kube/config`;
  if (!existsSync(pathIn(req, file))) return fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
  const cfg = parse(readFileSync(pathIn(req, file), 'utf8')) as Doc;
  const cluster = cfg.clusters?.[0]?.cluster ?? {};
  const host = String(cluster.server ?? '').replace(/^https:\/\//, '');
  const ca = Buffer.from(String(cluster['certificate-authority-data'] ?? ''), 'base64').toString();
  if (!world.cluster.apiUp() || !world.machines.some((m) => host.startsWith(`${m.ip}:`)))
    return fail(`Unable to connect to the server: dial tcp ${host}: connect: connection refused`);
  if (ca !== `SIM-CERT k8s ${world.cluster.id}`) return fail('Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
  return undefined;
}

function matches(o: Doc, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return o.metadata?.labels?.[k!] === v;
  });
}

const nsOf = (a: ParsedArgs) => first(a, 'namespace') ?? 'default';

function get(world: World, a: ParsedArgs): ExecResult {
  const raw = first(a, 'raw');
  if (raw !== undefined) return ['/readyz', '/healthz', '/livez'].includes(raw) ? ok('ok') : fail('Error from server (NotFound): the server could not find the requested resource');
  const [, what, name] = a.positionals;
  if (!what) return fail('error: you must specify the type of resource to get');
  const [typeWord, inlineName] = what.split('/');
  const kind = kindOf(world, typeWord!);
  if (!kind) return fail(`error: the server doesn't have a resource type "${typeWord}"`);
  const ns = nsOf(a);
  const wanted = name ?? inlineName;
  const items = liveObjects(world).filter(
    (o) =>
      o.kind === kind &&
      (clusterScoped(world, kind) || a.bools.has('all-namespaces') || (o.metadata.namespace ?? 'default') === ns) &&
      (!wanted || o.metadata.name === wanted) &&
      matches(o, first(a, 'selector')),
  );
  if (wanted && items.length === 0) return fail(`Error from server (NotFound): ${typeWord} "${wanted}" not found`);
  const output = first(a, 'output');
  if (output === 'json') return ok(`${JSON.stringify(wanted ? items[0] : { apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`);
  if (output === 'yaml') return ok(stringify(wanted ? items[0] : { apiVersion: 'v1', kind: 'List', items }));
  if (output === 'name') return ok(items.map((o) => `${kind.toLowerCase()}/${o.metadata.name}\n`).join(''));
  if (items.length === 0) return ok('');
  const row = (o: Doc) =>
    kind === 'Node'
      ? `${o.metadata.name}   ${o.status.conditions[0].status === 'True' ? 'Ready' : 'NotReady'}${o.spec?.unschedulable ? ',SchedulingDisabled' : ''}    <none>   1m    ${String(o.status.nodeInfo.kubeletVersion)}`
      : String(o.metadata.name);
  return ok(`${kind === 'Node' ? 'NAME   STATUS   ROLES   AGE   VERSION' : 'NAME'}\n${items.map(row).join('\n')}\n`);
}

async function rollout(world: World, a: ParsedArgs): Promise<ExecResult> {
  const [, sub, target] = a.positionals;
  if (sub !== 'status' || !target) return fail('error: only "kubectl rollout status <kind>/<name>" is simulated');
  const [typeWord, name] = target.split('/');
  const kind = kindOf(world, typeWord!);
  const ns = nsOf(a);
  const find = () => liveObjects(world).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
  if (!find()) return fail(`Error from server (NotFound): ${String(kind).toLowerCase()}s.apps "${name}" not found`);
  const done = () => {
    reconcile(world);
    const o = find()!;
    return kind === 'DaemonSet' ? o.status.desiredNumberScheduled > 0 && o.status.numberReady === o.status.desiredNumberScheduled : o.status.readyReplicas === o.status.replicas;
  };
  const label = kind === 'DaemonSet' ? 'daemon set' : kind === 'StatefulSet' ? 'statefulset' : 'deployment';
  if (await waitFor(done, durationMs(first(a, 'timeout'), 30_000))) return ok(`${label} "${name}" successfully rolled out\n`);
  const o = find()!;
  const progress =
    kind === 'DaemonSet'
      ? `${o.status.numberReady} of ${o.status.desiredNumberScheduled} updated pods are available`
      : `${o.status.readyReplicas} of ${o.status.replicas} updated replicas are available`;
  return { code: 1, stdout: `Waiting for ${label} "${name}" rollout to finish: ${progress}...\n`, stderr: 'error: timed out waiting for the condition\n' };
}

function apply(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  let docs: Doc[];
  const dir = first(a, 'kustomize');
  if (dir) {
    try {
      docs = kustomizeBuild(pathIn(req, dir), kustomizeBinary());
    } catch (e) {
      return fail(`error: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
    }
  } else {
    const file = first(a, 'filename');
    if (!file) return fail('error: must specify one of -f and -k');
    const text = file === '-' ? (req.stdin?.toString() ?? '') : readFileSync(pathIn(req, file), 'utf8');
    docs = parseAllDocuments(text)
      .map((d) => d.toJSON() as Doc)
      .filter(Boolean);
  }
  const { lines, error } = applyObjects(world, docs, first(a, 'namespace'));
  const out = lines.map((l) => (a.bools.has('server-side') ? l.replace(/ (created|configured)$/, ' serverside-applied') : l)).join('\n');
  return error ? { code: 1, stdout: out ? `${out}\n` : '', stderr: `${error}\n` } : ok(`${out}\n`);
}

/** `create namespace|secret generic`, printed with --dry-run=client -o yaml, else stored. */
function create(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const [, what, sub, name0] = a.positionals;
  let doc: Doc;
  if (what === 'namespace' || what === 'ns') {
    doc = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: sub } };
  } else if (what === 'secret' && sub === 'generic' && name0) {
    const data: Record<string, string> = {};
    for (const spec of a.flags.get('from-file') ?? []) {
      const [key, path] = spec.includes('=') ? spec.split(/=(.*)/s) : [spec.split('/').pop()!, spec];
      const file = path === '/dev/stdin' ? req.stdin : existsSync(pathIn(req, path!)) ? readFileSync(pathIn(req, path!)) : undefined;
      if (!file) return fail(`error: error reading ${path}: no such file or directory`);
      data[key!] = Buffer.from(file).toString('base64');
    }
    for (const spec of a.flags.get('from-literal') ?? []) {
      const [key, value] = spec.split(/=(.*)/s);
      data[key!] = Buffer.from(value ?? '').toString('base64');
    }
    doc = { apiVersion: 'v1', kind: 'Secret', metadata: { name: name0, namespace: nsOf(a) }, type: 'Opaque', data };
  } else {
    return fail(`error: "kubectl create ${String(what)}" is not simulated`);
  }
  if (first(a, 'dry-run') === 'client')
    return ok(
      first(a, 'output') === 'yaml'
        ? stringify({ ...doc, metadata: { ...doc.metadata, creationTimestamp: null } })
        : `${doc.kind.toLowerCase()}/${String(doc.metadata.name)} created (dry run)\n`,
    );
  if (findObject(world, doc.kind, doc.metadata.namespace, doc.metadata.name))
    return fail(`Error from server (AlreadyExists): ${doc.kind.toLowerCase()}s "${String(doc.metadata.name)}" already exists`);
  applyObjects(world, [doc], nsOf(a));
  return ok(`${doc.kind.toLowerCase()}/${String(doc.metadata.name)} created\n`);
}

function patch(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const [, typeWord, name] = a.positionals;
  const kind = kindOf(world, typeWord ?? '');
  const o = kind && name ? findObject(world, kind, nsOf(a), name) : undefined;
  if (!o) return fail(`Error from server (NotFound): ${String(typeWord)} "${String(name)}" not found`);
  if ((first(a, 'type') ?? 'strategic') !== 'merge') return fail('error: only --type merge is simulated');
  const file = first(a, 'patch-file');
  const text = first(a, 'patch') ?? (file === '/dev/stdin' || file === '-' ? req.stdin?.toString() : file ? readFileSync(pathIn(req, file), 'utf8') : undefined);
  if (!text) return fail('error: must specify --patch or --patch-file containing a merge patch');
  const patched = mergeMaps(o, JSON.parse(text) as Doc, { nullDeletes: true });
  // The patched object replaces the stored one (a null deletes its field), keeping its creation time.
  const key = objectKey(world, kind!, nsOf(a), name!);
  const created = world.cluster.createdAt.get(key);
  world.cluster.objects.delete(key);
  applyObjects(world, [patched], nsOf(a));
  if (created !== undefined) world.cluster.createdAt.set(key, created);
  return ok(`${kind!.toLowerCase()}/${name} patched\n`);
}

function del(world: World, a: ParsedArgs): ExecResult {
  const [, typeWord, name] = a.positionals;
  const kind = kindOf(world, typeWord ?? '');
  const key = kind && name ? objectKey(world, kind, nsOf(a), name) : '';
  // A Node object lives until deleted (its kubelet, if it still runs, registers it again).
  const deleted = kind === 'Node' ? world.cluster.deleteNode(name!) : deleteObject(world, key);
  if (!deleted) return a.bools.has('ignore-not-found') ? ok() : fail(`Error from server (NotFound): ${String(typeWord)} "${String(name)}" not found`);
  return ok(`${kind!.toLowerCase()} "${name}" deleted\n`);
}

/** `kubectl version [--client] [-o json|yaml]`: the client's version, and the API server's (from its image). */
function version(world: World, a: ParsedArgs, server: boolean): ExecResult {
  const info = (v: string) => {
    const [major, minor] = v.replace(/^v/, '').split('.');
    return { major, minor, gitVersion: v, gitTreeState: 'clean', goVersion: 'go1.24.6', compiler: 'gc', platform: 'linux/amd64' };
  };
  const doc = { clientVersion: info('v1.34.1'), kustomizeVersion: 'v5.7.1', ...(server ? { serverVersion: info(world.cluster.apiServerVersion()) } : {}) };
  const output = first(a, 'output');
  if (output === 'json') return ok(`${JSON.stringify(doc, null, 2)}\n`);
  if (output === 'yaml') return ok(stringify(doc));
  return ok(`Client Version: v1.34.1\nKustomize Version: v5.7.1\n${server ? `Server Version: ${world.cluster.apiServerVersion()}\n` : ''}`);
}

/** `kubectl cordon|uncordon NAME`: the Node's spec.unschedulable. */
function cordon(world: World, a: ParsedArgs, on: boolean): ExecResult {
  const [verb, name] = a.positionals;
  if (!name) return fail(`error: USAGE: ${String(verb)} NODE [flags]`);
  const node = world.cluster.registered.get(name);
  if (!node) return fail(`Error from server (NotFound): nodes "${name}" not found`);
  if (!!node.unschedulable === on) return ok(`node/${name} already ${on ? 'cordoned' : 'uncordoned'}\n`);
  node.unschedulable = on || undefined;
  if (!on) node.drained = undefined;
  return ok(`node/${name} ${on ? 'cordoned' : 'uncordoned'}\n`);
}

/**
 * `kubectl drain NAME [--ignore-daemonsets] [--delete-emptydir-data] [--timeout=Ns]`: cordons the node
 * (cordoning alone moves no pod), then evicts the pods the simulation runs on it (they run elsewhere, or
 * stay Pending); DaemonSet pods
 * need --ignore-daemonsets and pods with emptyDir volumes --delete-emptydir-data, as kubectl refuses
 * otherwise.
 */
function drain(world: World, a: ParsedArgs): ExecResult {
  const name = a.positionals[1];
  if (!name) return fail('error: USAGE: drain NODE [flags]');
  if (!world.cluster.registered.get(name)) return fail(`Error from server (NotFound): nodes "${name}" not found`);
  const onNode = liveObjects(world).filter((o) => o.kind === 'Pod' && o.spec?.nodeName === name);
  const out = [String(cordon(world, { ...a, positionals: ['cordon', name] }, true).stdout).trimEnd()];
  const podName = (p: Doc) => `${String(p.metadata.namespace)}/${String(p.metadata.name)}`;
  const daemons = onNode.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet');
  const local = onNode.filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet' && (p.spec.volumes as Doc[] | undefined)?.some((v) => v.emptyDir));
  const problems = [
    ...(daemons.length && !a.bools.has('ignore-daemonsets')
      ? [`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemons.map(podName).join(', ')}`]
      : []),
    ...(local.length && !a.bools.has('delete-emptydir-data')
      ? [`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${local.map(podName).join(', ')}`]
      : []),
  ];
  if (problems.length)
    return {
      code: 1,
      stdout: `${out.join('\n')}\n`,
      stderr: `error: unable to drain node "${name}" due to error: ${problems.join(', ')}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${problems.join('\n')}\n`,
    };
  const evicted = onNode.filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet');
  world.cluster.registered.get(name)!.drained = true;
  const warn = daemons.length ? `Warning: ignoring DaemonSet-managed Pods: ${daemons.map(podName).join(', ')}\n` : '';
  return {
    code: 0,
    stdout: `${[...out, ...evicted.map((p) => `pod/${String(p.metadata.name)} evicted`), `node/${name} drained`].join('\n')}\n`,
    stderr: `${warn}${evicted.map((p) => `evicting pod ${podName(p)}\n`).join('')}`,
  };
}

/** exec into a pod (by name or `deploy/<name>`): cilium-dbg answered here, anything else run in a container. */
function exec(world: World, a: ParsedArgs): ExecResult {
  const target = a.positionals[1] ?? '';
  const ns = nsOf(a);
  const pods = liveObjects(world).filter((o) => o.kind === 'Pod' && o.metadata.namespace === ns);
  const pod =
    target.startsWith('deploy/') || target.startsWith('deployment/')
      ? pods.find((p) => p.metadata.ownerReferences?.[0]?.name === target.split('/')[1])
      : pods.find((p) => p.metadata.name === target);
  if (!pod) return fail(`Error from server (NotFound): ${target.includes('/') ? 'deployments.apps' : 'pods'} "${target.replace(/^[^/]+\//, '')}" not found`);
  const container = first(a, 'container') ?? pod.spec.containers[0].name;
  const status = (pod.status.containerStatuses as Doc[]).find((c) => c.name === container);
  if (!status) return fail(`error: container ${container} is not valid for pod ${String(pod.metadata.name)}`);
  if (!status.ready) return fail(`error: unable to upgrade connection: container not found ("${container}")`);
  const cmd = a.rest;
  if (/^cilium(-dbg)? status --brief$/.test(cmd.join(' '))) return ok('OK\n');
  if ((cmd[0] === 'sh' || cmd[0] === '/bin/sh' || cmd[0] === 'bash') && cmd[1] === '-c' && cmd[2]) {
    const owner = pod.metadata.ownerReferences[0].name as string;
    return { code: 0, run: { kind: 'container', target: `${ns}/${owner}/${container}`, command: cmd[2] } };
  }
  return fail(`OCI runtime exec failed: exec failed: "${cmd.join(' ')}" is not simulated in ${String(pod.metadata.name)}`, 126);
}

export async function kubectl(world: World, req: ExecRequest): Promise<ExecResult> {
  const a = parseArgs(req.argv, SPEC);
  const verb = a.positionals[0];
  if (verb === 'version' && a.bools.has('client')) return version(world, a, false);
  const dryRun = first(a, 'dry-run') === 'client';
  if (!dryRun) {
    const refused = connect(world, req, a);
    if (refused) return refused;
    reconcile(world);
  }
  switch (verb) {
    case 'get':
      return get(world, a);
    case 'rollout':
      return rollout(world, a);
    case 'apply':
      return apply(world, req, a);
    case 'create':
      return create(world, req, a);
    case 'patch':
      return patch(world, req, a);
    case 'delete':
      return del(world, a);
    case 'exec':
      return exec(world, a);
    case 'cordon':
    case 'uncordon':
      return cordon(world, a, verb === 'cordon');
    case 'drain':
      return drain(world, a);
    case 'version':
      return version(world, a, true);
    default:
      return fail(`error: "kubectl ${String(verb)}" is not simulated`);
  }
}
