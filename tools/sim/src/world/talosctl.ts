/**
 * talosctl against the simulated nodes. Config generation is local and checked like the real one
 * (patches and results against the vendored Talos v1.11.5 machine-config schema, existing files need
 * --force); node commands need the node to be up, in maintenance mode for --insecure calls, and
 * configured for this cluster (a talosconfig with the cluster's CA and an endpoint that is one of its
 * control planes) for the rest. bootstrap works once; kubeconfig and health follow etcd and the CNI.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { describeErrors, upstreamValidator } from '../../../upstream/upstream';
import { first, list, parseArgs, type ParsedArgs } from './args';
import { durationMs, fail, ok, pathIn, waitFor, type ExecRequest, type ExecResult } from './exec';
import { compareVersions, kubeletVersion, nodeName, talosVersion, type Doc, type EtcdContent, type Machine, type World } from './world';

/** The talosctl client's version. */
const VERSION = 'v1.11.5';
/** Talos versions the simulation knows (their machine config is checked against the vendored v1.11.5 schema). */
export const KNOWN_TALOS = /^v1\.11\.\d+$/;
const SPEC = {
  values: [
    'talosconfig',
    'nodes',
    'endpoints',
    'context',
    'output',
    'output-file',
    'output-types',
    'with-secrets',
    'kubernetes-version',
    'install-disk',
    'install-image',
    'config-patch',
    'config-patch-control-plane',
    'config-patch-worker',
    'file',
    'mode',
    'config',
    'patch',
    'wait-timeout',
    'control-plane-nodes',
    'worker-nodes',
    'timeout',
    'image',
    'to',
    'from',
    'recover-from',
    'system-labels-to-wipe',
    'user-disks-to-wipe',
    'reboot-mode',
  ],
  aliases: { n: 'nodes', e: 'endpoints', o: 'output', f: 'file', m: 'mode', c: 'config', p: 'patch', t: 'output-types' },
};

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: unknown) => Buffer.from(typeof s === 'string' ? s : '', 'base64').toString();
const writePrivate = (file: string, text: string) => writeFileSync(file, text, { mode: 0o600 });
const readYaml = (file: string): Doc => parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Doc;

/** Talos's strategic merge of a patch: maps merge, lists append (the subnets are replaced). */
function merge(a: Doc, b: Doc): Doc {
  const out: Doc = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const replaceList = ['podSubnets', 'serviceSubnets'].includes(k);
    if (Array.isArray(v) && Array.isArray(out[k]) && !replaceList) out[k] = [...out[k], ...v];
    else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k])) out[k] = merge(out[k], v);
    else out[k] = v;
  }
  return out;
}

const schema = () => upstreamValidator('talos/v1.11.5/config.schema.json', 'v1alpha1.Config');

function schemaProblems(doc: Doc): string[] {
  const validate = schema();
  return validate(doc) ? [] : describeErrors(validate.errors);
}

/** Go-side rules of v1alpha1_validation.go that the schema cannot express (the ones ZTC's output meets). */
function ruleProblems(cfg: Doc, mode: string): string[] {
  const problems: string[] = [];
  if (mode !== 'container' && !cfg.machine?.install?.disk && !cfg.machine?.install?.diskSelector)
    problems.push('an install disk or disk selector is required in "metal" and "cloud" mode');
  if (!/^https:\/\/[^/]+:\d+$/.test(String(cfg.cluster?.controlPlane?.endpoint ?? ''))) problems.push('cluster.controlPlane.endpoint must be a URL');
  const cni = cfg.cluster?.network?.cni;
  if (cni && ['none', 'flannel'].includes(cni.name) && cni.urls?.length) problems.push(`"urls" field should be empty for "${String(cni.name)}" CNI`);
  if (cfg.machine?.type === 'worker') {
    if (cfg.cluster?.etcd) problems.push('etcd config is not allowed on worker nodes');
    if (cfg.machine?.ca?.key || cfg.cluster?.ca?.key) problems.push('CA keys are not allowed on worker nodes');
  }
  return problems;
}

interface Secrets {
  clusterId: string;
  clusterSecret: string;
  bootstrapToken: string;
  trustdToken: string;
  secretbox: string;
  osKey: string;
  k8sKey: string;
  etcdKey: string;
  aggregatorKey: string;
  serviceAccountKey: string;
}

function secretsYaml(world: World): string {
  const clusterId = world.credential('cluster-id');
  return stringify({
    cluster: { id: b64(clusterId), secret: world.credential('cluster-secret') },
    secrets: { bootstraptoken: world.credential('bootstrap-token'), secretboxencryptionsecret: b64(world.credential('secretbox')) },
    trustdinfo: { token: world.credential('trustd-token') },
    certs: {
      etcd: { crt: b64(`SIM-CERT etcd ${clusterId}`), key: b64(world.credential('etcd-key')) },
      k8s: { crt: b64(`SIM-CERT k8s ${clusterId}`), key: b64(world.credential('k8s-key')) },
      k8saggregator: { crt: b64(`SIM-CERT aggregator ${clusterId}`), key: b64(world.credential('aggregator-key')) },
      k8sserviceaccount: { key: b64(world.credential('sa-key')) },
      os: { crt: b64(`SIM-CERT os ${clusterId}`), key: b64(world.credential('os-key')) },
    },
  });
}

function parseSecrets(s: Doc): Secrets {
  return {
    clusterId: unb64(s.cluster.id),
    clusterSecret: s.cluster.secret,
    bootstrapToken: s.secrets.bootstraptoken,
    trustdToken: s.trustdinfo.token,
    secretbox: s.secrets.secretboxencryptionsecret,
    osKey: s.certs.os.key,
    k8sKey: s.certs.k8s.key,
    etcdKey: s.certs.etcd.key,
    aggregatorKey: s.certs.k8saggregator.key,
    serviceAccountKey: s.certs.k8sserviceaccount.key,
  };
}

const readSecrets = (file: string): Secrets => parseSecrets(readYaml(file));

function baseConfig(role: 'controlplane' | 'worker', s: Secrets, name: string, endpoint: string, k8s: string, disk: string, image: string): Doc {
  const crt = (what: string) => b64(`SIM-CERT ${what} ${s.clusterId}`);
  const cp = role === 'controlplane';
  const cluster: Doc = {
    id: s.clusterId,
    secret: s.clusterSecret,
    controlPlane: { endpoint },
    clusterName: name,
    network: { dnsDomain: 'cluster.local', podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] },
    token: s.bootstrapToken,
    ca: cp ? { crt: crt('k8s'), key: s.k8sKey } : { crt: crt('k8s'), key: '' },
    discovery: { enabled: true },
  };
  if (cp) {
    Object.assign(cluster, {
      secretboxEncryptionSecret: s.secretbox,
      aggregatorCA: { crt: crt('aggregator'), key: s.aggregatorKey },
      serviceAccount: { key: s.serviceAccountKey },
      apiServer: { image: `registry.k8s.io/kube-apiserver:v${k8s}`, certSANs: [new URL(endpoint).hostname] },
      controllerManager: { image: `registry.k8s.io/kube-controller-manager:v${k8s}` },
      scheduler: { image: `registry.k8s.io/kube-scheduler:v${k8s}` },
      proxy: { image: `registry.k8s.io/kube-proxy:v${k8s}` },
      etcd: { ca: { crt: crt('etcd'), key: s.etcdKey } },
    });
  }
  return {
    version: 'v1alpha1',
    debug: false,
    machine: {
      type: role,
      token: s.trustdToken,
      ca: cp ? { crt: crt('os'), key: s.osKey } : { crt: crt('os'), key: '' },
      certSANs: [],
      kubelet: { image: `ghcr.io/siderolabs/kubelet:v${k8s}`, defaultRuntimeSeccompProfileEnabled: true },
      network: {},
      install: { disk, image, wipe: false },
      features: { rbac: true, stableHostname: true, apidCheckExtKeyUsage: true, diskQuotaSupport: true, kubePrism: { enabled: true, port: 7445 } },
    },
    cluster,
  };
}

/** Read `@file` patches (or inline YAML), each checked against the schema. */
function patches(req: ExecRequest, values: string[]): Doc[] {
  return values.map((v) => {
    const doc = v.startsWith('@') ? readYaml(pathIn(req, v.slice(1))) : (parse(v) as Doc);
    const problems = schemaProblems(doc);
    if (problems.length) throw new Error(`failed to apply patch ${v}: unknown keys or wrong types: ${problems.join('; ')}`);
    return doc;
  });
}

function writeOut(file: string, text: string, force: boolean): void {
  if (existsSync(file) && !force) throw new Error(`${file} already exists, use --force to overwrite`);
  writePrivate(file, text);
}

function genConfig(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const [name, endpoint] = a.positionals.slice(2);
  if (!name || !endpoint) return fail('Error: accepts 2 arg(s), received fewer');
  if (!/^https:\/\/[^/]+:\d+$/.test(endpoint)) return fail(`Error: error validating endpoint "${endpoint}": must be an https URL with a port`);
  const secretsFile = first(a, 'with-secrets');
  let secrets: Secrets;
  if (secretsFile) {
    if (!existsSync(pathIn(req, secretsFile))) return fail(`Error: failed to load secrets bundle: open ${secretsFile}: no such file or directory`);
    secrets = readSecrets(pathIn(req, secretsFile));
  } else {
    secrets = parseSecrets(parse(secretsYaml(world)) as Doc);
  }
  const k8s = first(a, 'kubernetes-version') ?? '1.33.1';
  const base = (role: 'controlplane' | 'worker') =>
    baseConfig(role, secrets, name, endpoint, k8s, first(a, 'install-disk') ?? '/dev/sda', first(a, 'install-image') ?? `ghcr.io/siderolabs/installer:${VERSION}`);
  let cp = base('controlplane');
  let worker = base('worker');
  try {
    for (const p of patches(req, a.flags.get('config-patch') ?? [])) {
      cp = merge(cp, p);
      worker = merge(worker, p);
    }
    for (const p of patches(req, a.flags.get('config-patch-control-plane') ?? [])) cp = merge(cp, p);
    for (const p of patches(req, a.flags.get('config-patch-worker') ?? [])) worker = merge(worker, p);
  } catch (e) {
    return fail(`Error: ${(e as Error).message}`);
  }
  const out = pathIn(req, first(a, 'output') ?? '.');
  const types = list(a, 'output-types').length ? list(a, 'output-types') : ['controlplane', 'worker', 'talosconfig'];
  const force = a.bools.has('force') || a.bools.has('f');
  mkdirSync(out, { recursive: true });
  try {
    if (types.includes('controlplane')) writeOut(`${out}/controlplane.yaml`, stringify(cp), force);
    if (types.includes('worker')) writeOut(`${out}/worker.yaml`, stringify(worker), force);
    if (types.includes('talosconfig')) {
      const talosconfig = {
        context: name,
        contexts: {
          [name]: {
            endpoints: ['127.0.0.1'],
            ca: b64(`SIM-CERT os ${secrets.clusterId}`),
            crt: b64(`SIM-CERT admin ${secrets.clusterId}`),
            key: b64(world.credential('admin-key')),
          },
        },
      };
      writeOut(`${out}/talosconfig`, stringify(talosconfig), force);
    }
  } catch (e) {
    return fail(`Error: ${(e as Error).message}`);
  }
  return ok(`generating PKI and tokens\n${types.map((t) => `Created ${out}/${t === 'talosconfig' ? 'talosconfig' : `${t}.yaml`}\n`).join('')}`);
}

interface Client {
  clusterId: string;
  endpoints: string[];
  nodes: string[];
}

function client(req: ExecRequest, a: ParsedArgs): Client | ExecResult {
  const file = first(a, 'talosconfig') ?? req.env.TALOSCONFIG ?? `${req.env.HOME}/.talos/config`;
  if (!existsSync(pathIn(req, file))) return fail(`error constructing client: failed to open config file ${file}: no such file or directory`);
  const cfg = readYaml(pathIn(req, file));
  const ctx = cfg.contexts?.[first(a, 'context') ?? cfg.context];
  if (!ctx) return fail('error constructing client: context not found in talosconfig');
  const ca = unb64(ctx.ca);
  return {
    clusterId: ca.replace(/^SIM-CERT os /, ''),
    endpoints: list(a, 'endpoints').length ? list(a, 'endpoints') : (ctx.endpoints ?? []),
    nodes: list(a, 'nodes').length ? list(a, 'nodes') : (ctx.nodes ?? []),
  };
}

const refused = (ip: string) => `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${ip}:50000: connect: connection refused"`;

/** The configured node `ip` of this client's cluster, reached through one of its endpoints, or an error. */
function reach(world: World, c: Client, ip: string): Machine | ExecResult {
  const endpoint = c.endpoints.map((e) => world.machineByIp(e.replace(/:\d+$/, ''))).find((m) => m && world.running(m) === 'talos' && m.config?.machine?.type === 'controlplane');
  if (!endpoint) return fail(`error: ${refused(c.endpoints[0] ?? '127.0.0.1')} (set the talosconfig endpoints to the control planes: talosctl config endpoint <ip>...)`);
  if (endpoint.config!.cluster.id !== c.clusterId)
    return fail(`error: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: x509: certificate signed by unknown authority"`);
  const m = world.machineByIp(ip);
  if (!m || world.running(m) === 'down') return fail(`error: ${ip}: rpc error: code = DeadlineExceeded desc = context deadline exceeded`);
  if (world.running(m) !== 'talos' || !m.config) return fail(`error: ${ip}: ${refused(ip)}`);
  if (m.config.cluster.id !== c.clusterId) return fail(`error: ${ip}: x509: certificate signed by unknown authority`);
  return m;
}

function insecureNode(world: World, ip: string | undefined): Machine | ExecResult {
  const m = ip ? world.machineByIp(ip) : undefined;
  if (!ip) return fail('error: --nodes is required with --insecure');
  if (!m || world.running(m) === 'down' || world.running(m) === 'os' || world.running(m) === 'rescue') return fail(`error: ${refused(ip)}`);
  if (m.config) return fail(`error: rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: certificate required"`);
  return m;
}

const isResult = (x: unknown): x is ExecResult => typeof (x as ExecResult)?.code === 'number';

/** The configured node an authenticated command targets (`--nodes`, else the talosconfig's), with the client. */
function target(world: World, req: ExecRequest, a: ParsedArgs): { c: Client; m: Machine } | ExecResult {
  const c = client(req, a);
  if (isResult(c)) return c;
  const m = reach(world, c, c.nodes[0] ?? '');
  return isResult(m) ? m : { c, m };
}

function applyConfig(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const file = first(a, 'file');
  if (!file) return fail('Error: no filename supplied for configuration');
  const cfg = readYaml(pathIn(req, file));
  const problems = [...schemaProblems(cfg), ...ruleProblems(cfg, 'metal')];
  if (problems.length) return fail(`error applying new configuration: ${problems.join('; ')}`);
  if (a.bools.has('insecure')) {
    const m = insecureNode(world, list(a, 'nodes')[0]);
    if (isResult(m)) return m;
    if (a.bools.has('dry-run')) return ok('Dry run summary:\nApplied configuration with a reboot (skipped in dry-run).\n');
    // The installer (machine.install.image) writes the install disk, then the node reboots from it.
    const image = String(cfg.machine?.install?.image ?? '');
    const version = /:(v\d+\.\d+\.\d+)$/.exec(image)?.[1] ?? talosVersion(m.disk.image) ?? VERSION;
    if (!KNOWN_TALOS.test(version)) return fail(`error applying new configuration: the installer image ${image} is Talos ${version}; the simulation knows Talos v1.11.x only`);
    const schematic = /\/([0-9a-f]{64}):/.exec(image)?.[1] ?? 'default';
    const flavour = String(m.disk.image ?? '').split(':')[2] ?? 'metal-amd64';
    world.writeDisk(m, { image: `talos:${version}:${flavour}:${schematic}`, talosConfig: cfg });
    m.config = cfg;
    m.configuredAt = world.now() + world.timing.installMs;
    world.reboot(m, world.timing.installMs);
    return ok();
  }
  const t = target(world, req, a);
  if (isResult(t)) return t;
  const { m } = t;
  if (m.config!.machine.type !== cfg.machine.type)
    return fail(`error applying new configuration: machine type changed from "${String(m.config!.machine.type)}" to "${String(cfg.machine.type)}"`);
  if (isDeepStrictEqual(m.config, cfg))
    return ok(
      `${a.bools.has('dry-run') ? 'Dry run summary:\n' : ''}Applied configuration without a reboot${a.bools.has('dry-run') ? ' (skipped in dry-run)' : ''}\n\nConfig diff:\n\nNo changes.\n`,
    );
  if (a.bools.has('dry-run')) return ok('Dry run summary:\nApplied configuration without a reboot (skipped in dry-run)\n\nConfig diff:\n\n--- a\n+++ b\n(changes)\n');
  m.config = cfg;
  m.disk.talosConfig = cfg;
  return ok('Applied configuration without a reboot\n');
}

async function health(world: World, req: ExecRequest, a: ParsedArgs): Promise<ExecResult> {
  const c = client(req, a);
  if (isResult(c)) return c;
  const m = reach(world, c, c.nodes[0] ?? c.endpoints[0] ?? '');
  if (isResult(m)) return m;
  const expected = [...list(a, 'control-plane-nodes'), ...list(a, 'worker-nodes')];
  const lines: string[] = [`discovered nodes: ${JSON.stringify(expected)}`];
  const checks: [string, () => boolean][] = [
    ['etcd to be healthy', () => world.cluster.etcdRunning()],
    ['kubelet to be healthy', () => world.cluster.apiUp()],
    ['all k8s nodes to report', () => expected.every((ip) => world.cluster.nodes().some((n) => n.ip === ip))],
    ['all k8s nodes to report ready', () => expected.every((ip) => world.cluster.nodes().some((n) => n.ip === ip && n.ready))],
  ];
  const deadline = Date.now() + Math.min(durationMs(first(a, 'wait-timeout'), 20 * 60_000), 10 * 60_000);
  for (const [what, check] of checks) {
    if (!(await waitFor(check, Math.max(0, deadline - Date.now())))) {
      lines.push(`waiting for ${what}: timed out`);
      return { code: 1, stdout: `${lines.join('\n')}\n`, stderr: `healthcheck error: waiting for ${what}: context deadline exceeded\n` };
    }
    lines.push(`waiting for ${what}: OK`);
  }
  return ok(`${lines.join('\n')}\n`);
}

/** Columns padded like talosctl's tabwriter (three spaces between columns). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]! + 3))).join('')).join('\n') + '\n';
}

/** A boolean flag with talosctl's default: `--x`, `--x=true`, `--x=false`; the last one given wins. */
function flag(req: ExecRequest, name: string, dflt: boolean): boolean {
  let value = dflt;
  for (const arg of req.argv) {
    if (arg === `--${name}` || arg === `--${name}=true`) value = true;
    else if (arg === `--${name}=false`) value = false;
  }
  return value;
}

/** etcd prints member IDs in decimal in its errors, talosctl in hex (`%016x`). */
const decimalId = (hex: string) => BigInt(`0x${hex}`).toString();

const etcdFailure = (m: Machine, what: string, desc: string, code = 'Unknown') => fail(`error ${what}: 1 error occurred:\n\t* ${m.ip}: rpc error: code = ${code} desc = ${desc}`);

/** Parse an installer image: `factory.talos.dev/<platform>-installer/<schematic>:<version>` or `ghcr.io/siderolabs/installer:<version>`. */
function installer(image: string): { platform?: string; schematic: string; version: string } | undefined {
  const factory = /^factory\.talos\.dev\/([a-z0-9-]+)-installer\/([0-9a-f]{64}):(v\d+\.\d+\.\d+)$/.exec(image);
  if (factory) return { platform: factory[1], schematic: factory[2]!, version: factory[3]! };
  const plain = /^ghcr\.io\/siderolabs\/installer:(v\d+\.\d+\.\d+)$/.exec(image);
  return plain ? { schematic: 'default', version: plain[1]! } : undefined;
}

/** Talos's pre-upgrade etcd check on a control plane (ValidateForUpgrade): refusals as Talos words them. */
function etcdUpgradeRefusal(world: World): string | undefined {
  const c = world.cluster;
  if (!c.etcdRunning()) return 'etcdserver: no leader';
  if (c.memberList.length === 2) return 'etcd member count(2) is insufficient to maintain quorum if upgrade commences';
  for (const e of c.memberList) {
    if (!c.serving(c.holder(e))) return `etcd member ${e.id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`;
  }
  return undefined;
}

/**
 * `talosctl upgrade --nodes IP --image <installer> [--wait=false] [--timeout 30m] [--force]`: the node
 * installs the image's Talos and reboots into it (machine config, etcd data and objects kept). A control
 * plane refuses while etcd could lose quorum (unless --force). --wait (the default) waits until the node
 * answers at the new version, or fails at --timeout.
 */
async function upgrade(world: World, req: ExecRequest, a: ParsedArgs): Promise<ExecResult> {
  const t = target(world, req, a);
  if (isResult(t)) return t;
  const { m } = t;
  const image = first(a, 'image') ?? '';
  if (!image) return fail('error: --image is required (the installer image of the Talos version to upgrade to)');
  const parsed = installer(image);
  if (!parsed) return fail(`error: ${m.ip}: rpc error: code = Unknown desc = error validating installer image "${image}": failed to resolve reference "${image}": not found`);
  if (!KNOWN_TALOS.test(parsed.version))
    return fail(
      `error: ${m.ip}: rpc error: code = Unknown desc = error validating installer image "${image}": sim: Talos ${parsed.version} is not known to the simulation (v1.11.x is)`,
    );
  if (m.config!.machine.type === 'controlplane' && !a.bools.has('force')) {
    const refusal = etcdUpgradeRefusal(world);
    if (refusal) return fail(`error: ${m.ip}: rpc error: code = Unknown desc = error validating etcd for upgrade: ${refusal}`);
  }
  const [, old = 'metal-amd64'] = /^talos:[^:]+:([^:]+)/.exec(m.disk.image ?? '') ?? [];
  const arch = old.split('-').pop() ?? 'amd64';
  world.upgradeNode(m, `talos:${parsed.version}:${parsed.platform ? `${parsed.platform}-${arch}` : old}:${parsed.schematic}`);
  if (!flag(req, 'wait', true)) {
    return ok(
      table([
        ['NODE', 'ACK', 'STARTED'],
        [m.ip, 'Upgrade request received', new Date(world.now()).toISOString()],
      ]),
    );
  }
  const timeout = durationMs(first(a, 'timeout'), 30 * 60_000);
  const back = () => world.running(m) === 'talos' && talosVersion(m.disk.image) === parsed.version;
  if (!(await waitFor(back, timeout, 100)))
    return fail(`watching nodes: [${m.ip}]\n    * ${m.ip}: error: the node did not come back from the upgrade within ${first(a, 'timeout') ?? '30m0s'}: context deadline exceeded`);
  return ok(`watching nodes: [${m.ip}]\n    * ${m.ip}: post check passed\n`);
}

/** `1.34.1` → [1, 34, 1]. */
const semver = (v: string) => v.replace(/^v/, '').split('.').map(Number) as [number, number, number];

/**
 * `talosctl upgrade-k8s --nodes <cp ip> --to <x.y.z> [--from <x.y.z>] [--dry-run]`: the control-plane
 * components' images and every node's kubelet image (in their machine configs) move to x.y.z, so the
 * API server and every Node report it. A jump of more than one minor version, or a downgrade, is
 * refused as talosctl refuses an unsupported path.
 */
function upgradeK8s(world: World, req: ExecRequest, a: ParsedArgs): ExecResult {
  const t = target(world, req, a);
  if (isResult(t)) return t;
  const { m } = t;
  if (m.config!.machine.type !== 'controlplane') return fail(`error: ${m.ip} is not a control plane node: upgrade-k8s needs --nodes <control plane ip>`);
  const c = world.cluster;
  if (!c.apiUp()) return fail(`error: error building kubernetes client: Get "${String(m.config!.cluster.controlPlane.endpoint)}/api": dial tcp: connect: connection refused`);
  const to = (first(a, 'to') ?? '1.34.1').replace(/^v/, '');
  const from = (first(a, 'from') ?? c.apiServerVersion()).replace(/^v/, '');
  const lines = first(a, 'from') ? [] : [`automatically detected the lowest Kubernetes version ${from}`];
  if (!/^\d+\.\d+\.\d+$/.test(to)) return fail(`error: invalid version "${to}": expected x.y.z`);
  const [fMaj, fMin] = semver(from);
  const [tMaj, tMin] = semver(to);
  const path = `${fMaj}.${fMin}->${tMaj}.${tMin}`;
  if (fMaj !== tMaj || (tMin !== fMin && tMin !== fMin + 1) || compareVersions(to, from) < 0)
    return { code: 1, stdout: lines.map((l) => `${l}\n`).join(''), stderr: `error: unsupported upgrade path ${path} (from "${from}" to "${to}")\n` };
  if (!/^1\.3[34]\.\d+$/.test(to)) return fail(`error: sim: Kubernetes ${to} is not known to the simulation (1.33.x and 1.34.x are)`);
  const nodes = c.nodes();
  const machines = nodes.map((n) => ({ n, m: world.machineByIp(n.ip) }));
  const cps = machines.filter((x) => x.n.role === 'controlplane');
  const workers = machines.filter((x) => x.n.role !== 'controlplane');
  lines.push(`discovered controlplane nodes [${cps.map((x) => `"${x.n.ip}"`).join(' ')}]`, `discovered worker nodes [${workers.map((x) => `"${x.n.ip}"`).join(' ')}]`);
  const down = machines.find((x) => !x.m || world.running(x.m) !== 'talos' || x.m.config?.cluster?.id !== c.id);
  if (down)
    return {
      code: 1,
      stdout: lines.map((l) => `${l}\n`).join(''),
      stderr: `error: error updating node "${down.n.ip}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${down.n.ip}:50000: connect: connection refused"\n`,
    };
  const dry = a.bools.has('dry-run');
  const components = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'];
  const field: Record<string, string> = { 'kube-apiserver': 'apiServer', 'kube-controller-manager': 'controllerManager', 'kube-scheduler': 'scheduler', 'kube-proxy': 'proxy' };
  for (const comp of components) {
    lines.push(`updating "${comp}" to version "${to}"`);
    for (const { m: cp } of cps) {
      const was = /:v?([\d.]+)$/.exec(String(cp!.config!.cluster[field[comp]!]?.image ?? ''))?.[1] ?? from;
      lines.push(` > "${cp!.ip}": starting update`, ` > update ${comp}: v${was} -> v${to}`, dry ? ` > skipped in dry-run` : ` > "${cp!.ip}": machine configuration patched`);
    }
  }
  lines.push(`updating kubelet to version "${to}"`);
  for (const { m: node } of [...cps, ...workers]) {
    lines.push(` > "${node!.ip}": starting update`, ` > update kubelet: ${kubeletVersion(node!.config).replace(/^v/, '')} -> ${to}`);
    lines.push(
      ...(dry
        ? [' > skipped in dry-run']
        : [` > "${node!.ip}": machine configuration patched`, ` > "${node!.ip}": waiting for kubelet restart`, ` > "${node!.ip}": kubelet is ready`]),
    );
  }
  lines.push(dry ? 'updating manifests (skipped in dry-run)' : 'updating manifests');
  if (!dry) {
    for (const { m: node } of machines) {
      for (const cfg of new Set([node!.config!, node!.disk.talosConfig].filter(Boolean) as Doc[])) {
        cfg.machine.kubelet = { ...cfg.machine.kubelet, image: `ghcr.io/siderolabs/kubelet:v${to}` };
        if (cfg.machine.type === 'controlplane') {
          for (const comp of components) cfg.cluster[field[comp]!] = { ...cfg.cluster[field[comp]!], image: `registry.k8s.io/${comp}:v${to}` };
        }
      }
    }
    c.settle();
  }
  return ok(`${lines.join('\n')}\n`);
}

const WIPEABLE = ['STATE', 'EPHEMERAL', 'META'];

/**
 * `talosctl reset --nodes IP [--graceful=true] [--reboot=false] [--system-labels-to-wipe STATE ...]
 * [--wait=false]`: graceful (the default) cordons the node (a registered node fails without an API
 * server: Talos waits for Kubernetes to cordon it) and, on a control plane holding an etcd
 * member, leaves etcd first, which etcd refuses when it would lose quorum (as Talos's reset sequence
 * then fails; with --wait=false the call returns and the node stays up, cordoned). Then the listed
 * partitions are wiped and the node powers off (or reboots with --reboot).
 */
async function reset(world: World, req: ExecRequest, a: ParsedArgs): Promise<ExecResult> {
  const t = target(world, req, a);
  if (isResult(t)) return t;
  const { m } = t;
  const labels = list(a, 'system-labels-to-wipe');
  const unknown = labels.find((l) => !WIPEABLE.includes(l));
  if (unknown)
    return fail(
      `error executing reset: 1 error occurred:\n\t* ${m.ip}: rpc error: code = Unknown desc = failed to get volume status with label "${unknown}": resource VolumeStatuses.block.talos.dev(runtime/${unknown}@undefined) doesn't exist`,
    );
  const wait = flag(req, 'wait', true);
  const c = world.cluster;
  if (flag(req, 'graceful', true)) {
    const node = c.registered.get(nodeName(m));
    // cordonAndDrainNode: a node that joined waits (a minute) for Kubernetes to cordon it, and fails without an API server.
    if (node && !c.apiUp()) {
      return wait
        ? fail(
            `watching nodes: [${m.ip}]\n    * ${m.ip}: error: sequence error: sequence failed: error running phase in reset sequence: task cordonAndDrainNode: failed, waiting for node to be cordoned: context deadline exceeded`,
          )
        : ok();
    }
    if (node) node.unschedulable = true;
    const member = m.config!.machine.type === 'controlplane' ? c.memberOf(m) : undefined;
    if (member) {
      const refused = c.removalRefused(member.id);
      if (refused) {
        const why = `failed to leave cluster: failed to remove member ${decimalId(member.id)}: ${refused}`;
        return wait
          ? fail(`watching nodes: [${m.ip}]\n    * ${m.ip}: error: sequence error: sequence failed: error running phase in reset sequence: task leaveEtcd: failed, ${why}`)
          : ok();
      }
      c.removeMember(member.id);
    }
  }
  world.talosReset(m, { state: labels.includes('STATE'), ephemeral: labels.includes('EPHEMERAL'), all: labels.length === 0 }, flag(req, 'reboot', false));
  return ok(wait ? `watching nodes: [${m.ip}]\n    * ${m.ip}: ${flag(req, 'reboot', false) ? 'post check passed' : 'events check condition met (the node is shut down)'}\n` : '');
}

/** The marker of a snapshot file the simulation writes (it is not a real bbolt database). */
const SNAPSHOT_MARK = 'ztc-sim etcd snapshot';

interface SnapshotFile {
  sim: typeof SNAPSHOT_MARK;
  note: string;
  format: 1;
  cluster: string;
  revision: number;
  sha256: string;
  content: EtcdContent;
}

const contentHash = (content: EtcdContent) => createHash('sha256').update(JSON.stringify(content)).digest('hex');
const keysOf = (content: EtcdContent) => content.objects.length + content.releases.length + content.registered.length;

function snapshotInfo(file: SnapshotFile, size: number): string {
  return `hash ${file.sha256.slice(0, 8)}, revision ${file.revision}, total keys ${keysOf(file.content)}, total size ${size}`;
}

/** `talosctl etcd snapshot <path> --nodes <cp>`: the etcd content of the member on that node, written locally. */
function snapshot(world: World, req: ExecRequest, a: ParsedArgs, m: Machine): ExecResult {
  const path = a.positionals[2];
  if (!path) return fail('Error: accepts 1 arg(s), received 0');
  const c = world.cluster;
  if (!c.serving(m) || !c.memberOf(m)) return etcdFailure(m, 'reading etcd snapshot', 'failed to create etcd client: etcd is not running on this node', 'Unavailable');
  const content = c.content();
  const file: SnapshotFile = {
    sim: SNAPSHOT_MARK,
    note: 'written by the ZTC simulation: the etcd content of the simulated cluster (objects, Helm releases, Node objects), not a bbolt database',
    format: 1,
    cluster: c.id!,
    revision: content.objects.length + content.registered.length + content.releases.length + c.createdAt.size,
    sha256: contentHash(content),
    content,
  };
  const out = pathIn(req, path);
  const text = `${JSON.stringify(file)}\n`;
  writeFileSync(`${out}.part`, text, { mode: 0o600 });
  renameSync(`${out}.part`, out);
  const size = Buffer.byteLength(text);
  return ok(`etcd snapshot saved to "${path}" (${size} bytes)\nsnapshot info: ${snapshotInfo(file, size)}\n`);
}

/** Read a snapshot the simulation wrote, checking its mark and hash. */
function readSnapshot(path: string, skipHashCheck: boolean): { file: SnapshotFile; size: number } | string {
  if (!existsSync(path)) return `open ${path}: no such file or directory`;
  const text = readFileSync(path, 'utf8');
  let file: SnapshotFile;
  try {
    file = JSON.parse(text) as SnapshotFile;
  } catch {
    return `sim: ${path} is not an etcd snapshot the simulation wrote (talosctl etcd snapshot)`;
  }
  if (file?.sim !== SNAPSHOT_MARK || !file.content) return `sim: ${path} is not an etcd snapshot the simulation wrote (talosctl etcd snapshot)`;
  if (!skipHashCheck && contentHash(file.content) !== file.sha256) return `snapshot file ${path} hash mismatch (use --recover-skip-hash-check to skip the check)`;
  return { file, size: Buffer.byteLength(text) };
}

/** `talosctl etcd leave|remove-member|snapshot|members` on a control plane. */
function etcd(world: World, req: ExecRequest, a: ParsedArgs, m: Machine, sub: string | undefined): ExecResult {
  const c = world.cluster;
  if (m.config!.machine.type !== 'controlplane') {
    if (sub === 'members') return fail(`error getting members: 1 error occurred:\n\t* ${m.ip}: rpc error: code = Unimplemented desc = etcd is not available on worker nodes`);
    return etcdFailure(m, `executing etcd ${sub}`, `etcd ${sub === 'remove-member' ? 'remove member' : sub} is only available on control plane nodes`, 'FailedPrecondition');
  }
  switch (sub) {
    case 'members': {
      if (!c.memberRunning(m)) return fail(`error getting members: 1 error occurred:\n\t* ${m.ip}: rpc error: code = Unavailable desc = etcd is not running on this node`);
      const rows = c.memberList.map((e) => [m.ip, e.id, e.name, `https://${e.ip}:2380`, `https://${e.ip}:2379`, 'false']);
      return ok(table([['NODE', 'ID', 'HOSTNAME', 'PEER URLS', 'CLIENT URLS', 'LEARNER'], ...rows]));
    }
    case 'leave': {
      const member = c.memberOf(m);
      if (!member || !c.serving(m)) return etcdFailure(m, 'executing leave', 'failed to leave cluster: etcd member not found: this node runs no etcd member');
      const refused = c.removalRefused(member.id);
      if (refused) return etcdFailure(m, 'executing leave', `failed to leave cluster: failed to remove member ${decimalId(member.id)}: ${refused}`);
      c.removeMember(member.id);
      return ok();
    }
    case 'remove-member': {
      const id = a.positionals[2] ?? '';
      if (!/^[0-9a-f]{1,16}$/i.test(id)) return fail(`Error: ${id ? `failed to parse member ID "${id}": invalid syntax` : 'accepts 1 arg(s), received 0'}`);
      const hex = id.toLowerCase().padStart(16, '0');
      if (!c.memberList.some((e) => e.id === hex)) return etcdFailure(m, 'removing member', `failed to remove member ${decimalId(hex)}: etcdserver: member not found`, 'NotFound');
      const refused = c.removalRefused(hex);
      if (refused) return etcdFailure(m, 'removing member', `failed to remove member: failed to remove member ${decimalId(hex)}: ${refused}`);
      c.removeMember(hex);
      return ok();
    }
    case 'snapshot':
      return snapshot(world, req, a, m);
    default:
      return fail(`Error: unknown command "${String(sub)}" for "talosctl etcd" (not simulated)`);
  }
}

export async function talosctl(world: World, req: ExecRequest): Promise<ExecResult> {
  const a = parseArgs(req.argv, SPEC);
  const [cmd, sub] = a.positionals;
  try {
    switch (cmd) {
      case 'gen':
        if (sub === 'secrets') {
          const file = pathIn(req, first(a, 'output-file') ?? 'secrets.yaml');
          writeOut(file, secretsYaml(world), a.bools.has('force'));
          return ok();
        }
        if (sub === 'config') return genConfig(world, req, a);
        return fail(`Error: unknown command "${String(sub)}" for "talosctl gen"`);
      case 'machineconfig': {
        if (sub !== 'patch') return fail(`Error: unknown command "${String(sub)}" for "talosctl machineconfig"`);
        const input = a.positionals[2];
        if (!input) return fail('Error: accepts 1 arg(s), received 0');
        let cfg = readYaml(pathIn(req, input));
        for (const p of patches(req, a.flags.get('patch') ?? [])) cfg = merge(cfg, p);
        const out = first(a, 'output');
        if (!out) return ok(stringify(cfg));
        writePrivate(pathIn(req, out), stringify(cfg));
        return ok();
      }
      case 'validate': {
        const cfg = readYaml(pathIn(req, first(a, 'config') ?? ''));
        const problems = [...schemaProblems(cfg), ...ruleProblems(cfg, first(a, 'mode') ?? 'metal')];
        return problems.length
          ? fail(`${problems.length} error(s) occurred:\n\t${problems.join('\n\t')}`)
          : ok(`${pathIn(req, first(a, 'config') ?? '')} is valid for ${first(a, 'mode')} mode\n`);
      }
      case 'config': {
        const file = pathIn(req, first(a, 'talosconfig') ?? req.env.TALOSCONFIG ?? `${req.env.HOME}/.talos/config`);
        const cfg = readYaml(file);
        const ctx = cfg.contexts[cfg.context];
        if (sub === 'endpoint') ctx.endpoints = a.positionals.slice(2);
        else if (sub === 'node') ctx.nodes = a.positionals.slice(2);
        else return fail(`Error: unknown command "${String(sub)}" for "talosctl config"`);
        writePrivate(file, stringify(cfg));
        return ok();
      }
      case 'version': {
        if (a.bools.has('client')) return ok(`Client:\n\tTag:         ${VERSION}\n`);
        const ip = list(a, 'nodes')[0] ?? '';
        const m = a.bools.has('insecure')
          ? insecureNode(world, ip)
          : (() => {
              const c = client(req, a);
              return isResult(c) ? c : reach(world, c, ip);
            })();
        if (isResult(m)) return m;
        // The server's tag is the Talos the node really runs: the version of the image on its disk.
        return ok(`Client:\n\tTag:         ${VERSION}\nServer:\n\tNODE:        ${m.ip}\n\tTag:         ${talosVersion(m.disk.image) ?? VERSION}\n`);
      }
      case 'apply-config':
        return applyConfig(world, req, a);
      case 'bootstrap': {
        const t = target(world, req, a);
        if (isResult(t)) return t;
        const { m } = t;
        const recoverFrom = first(a, 'recover-from');
        const recovered = recoverFrom ? readSnapshot(pathIn(req, recoverFrom), a.bools.has('recover-skip-hash-check')) : undefined;
        if (typeof recovered === 'string') return fail(`error recovering etcd: ${recovered}`);
        if (m.config!.machine.type !== 'controlplane')
          return fail('error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap is not available on worker nodes');
        if (m.disk.etcd) return fail('error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty');
        if (world.cluster.id && world.cluster.id !== m.config!.cluster.id && world.cluster.members().length) {
          return fail(
            `error executing bootstrap: sim: this world's etcd of another cluster still has members (${world.cluster
              .members()
              .map((x) => x.ip)
              .join(', ')}); the simulation holds one cluster per world`,
          );
        }
        const elsewhere = world.cluster.members().filter((x) => x !== m);
        if (elsewhere.length) {
          // Real Talos would start a second, empty etcd here (a split brain); the simulation refuses to.
          return fail(
            `error executing bootstrap: sim: etcd already has members (${elsewhere.map((x) => x.ip).join(', ')}); bootstrapping ${m.ip} would start a second, empty etcd (a split brain)`,
          );
        }
        world.cluster.bootstrap(m, recovered?.file.content);
        return ok(recovered ? `recovering from snapshot "${recoverFrom}": ${snapshotInfo(recovered.file, recovered.size)}\n` : '');
      }
      case 'service': {
        const t = target(world, req, a);
        if (isResult(t)) return t;
        const { m } = t;
        if (sub !== 'etcd') return fail(`error: service "${String(sub)}" is not simulated`);
        if (m.config!.machine.type !== 'controlplane') return fail(`error: ${m.ip}: service "etcd" not found`);
        const running = world.cluster.memberRunning(m);
        return ok(
          `NODE     ${m.ip}\nID       etcd\nSTATE    ${running ? 'Running' : 'Preparing'}\nHEALTH   ${running ? 'OK' : '?'}\nEVENTS   [${running ? 'Running' : 'Preparing'}]: ${running ? 'Health check successful' : 'Running pre state'}\n`,
        );
      }
      case 'etcd': {
        const t = target(world, req, a);
        if (isResult(t)) return t;
        return etcd(world, req, a, t.m, sub);
      }
      case 'upgrade':
        return await upgrade(world, req, a);
      case 'upgrade-k8s':
        return upgradeK8s(world, req, a);
      case 'reset':
        return await reset(world, req, a);
      case 'kubeconfig': {
        const t = target(world, req, a);
        if (isResult(t)) return t;
        const { c, m } = t;
        if (m.config!.machine.type !== 'controlplane') return fail('error: kubeconfig is only available on control plane nodes');
        const out = pathIn(req, a.positionals[1] ?? 'kubeconfig');
        if (existsSync(out) && !a.bools.has('force')) return fail(`error: ${out} already exists, use --force to overwrite`);
        const name = String(m.config!.cluster.clusterName);
        const kubeconfig = {
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name, cluster: { server: String(m.config!.cluster.controlPlane.endpoint), 'certificate-authority-data': b64(`SIM-CERT k8s ${c.clusterId}`) } }],
          users: [
            { name: `admin@${name}`, user: { 'client-certificate-data': b64(`SIM-CERT k8s-admin ${c.clusterId}`), 'client-key-data': b64(world.credential('k8s-admin-key')) } },
          ],
          contexts: [{ name: `admin@${name}`, context: { cluster: name, user: `admin@${name}`, namespace: 'default' } }],
          'current-context': `admin@${name}`,
        };
        writePrivate(out, stringify(kubeconfig));
        return ok();
      }
      case 'health':
        return await health(world, req, a);
      default:
        return fail(`Error: unknown command "${String(cmd)}" for "talosctl" (not simulated)`);
    }
  } catch (e) {
    return fail(`Error: ${(e as Error).message}`);
  }
}

/** The node a talosctl call is about, for the call log. */
export function talosNode(argv: readonly string[]): string | undefined {
  return list(parseArgs(argv, SPEC), 'nodes')[0];
}
