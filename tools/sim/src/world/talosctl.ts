/**
 * talosctl against the simulated nodes. Config generation is local and checked like the real one
 * (patches and results against the vendored Talos v1.11.5 machine-config schema, existing files need
 * --force); node commands need the node to be up, in maintenance mode for --insecure calls, and
 * configured for this cluster (a talosconfig with the cluster's CA and an endpoint that is one of its
 * control planes) for the rest. bootstrap works once; kubeconfig and health follow etcd and the CNI.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { describeErrors, upstreamValidator } from '../../../upstream/upstream';
import { first, list, parseArgs, type ParsedArgs } from './args';
import { durationMs, fail, ok, pathIn, waitFor, type ExecRequest, type ExecResult } from './exec';
import { nodeName, talosVersion, type Doc, type Machine, type World } from './world';

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
        world.cluster.bootstrap(m);
        return ok();
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
        const { m } = t;
        if (sub !== 'members') return fail(`Error: unknown command "${String(sub)}" for "talosctl etcd" (not simulated)`);
        if (m.config!.machine.type !== 'controlplane')
          return fail(`error getting members: 1 error occurred:\n\t* ${m.ip}: rpc error: code = Unimplemented desc = etcd is not available on worker nodes`);
        if (!world.cluster.memberRunning(m))
          return fail(`error getting members: 1 error occurred:\n\t* ${m.ip}: rpc error: code = Unavailable desc = etcd is not running on this node`);
        const rows = world.cluster.members().map((x) => [m.ip, x.disk.etcd!.member, nodeName(x), `https://${x.ip}:2380`, `https://${x.ip}:2379`, 'false']);
        return ok(table([['NODE', 'ID', 'HOSTNAME', 'PEER URLS', 'CLIENT URLS', 'LEARNER'], ...rows]));
      }
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
