/**
 * The day-2 tools of the simulation (issue 18), driven through the real CLI stubs as a script would call
 * them: talosctl upgrade / upgrade-k8s / reset / etcd leave, remove-member, snapshot / bootstrap
 * --recover-from, kubectl cordon / uncordon / drain / delete node, the upgrade-stuck fault kept in a
 * world and repaired with `npm run sim -- --world <dir> --repair <ip>`, and what --status reports. Each
 * case here is what a user (or a ZTC script) would notice: a node that really reboots into the new
 * version, etcd that refuses to lose quorum, a snapshot that brings the objects back.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SCENARIOS } from './scenarios';
import { loadWorld, type Sim } from './session';
import { runProcess, simFor, worldDirFor } from './testing';
import { counterLine } from './world/status';
import type { Doc, Machine, Timing } from './world/world';

const BIN = join(__dirname, '..', 'bin', 'ztc-sim.js');
const SCHEMATIC = 'a'.repeat(64);
const IMAGE = (v: string) => `factory.talos.dev/hcloud-installer/${SCHEMATIC}:${v}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A node's machine config (as much as the world and the tools read), of cluster c1 at Kubernetes `k8s`. */
function config(type: 'controlplane' | 'worker', hostname: string, k8s = '1.34.1'): Doc {
  const cluster: Doc = { id: 'c1', clusterName: 'prod', controlPlane: { endpoint: 'https://203.0.113.10:6443' } };
  if (type === 'controlplane') cluster.apiServer = { image: `registry.k8s.io/kube-apiserver:v${k8s}` };
  return { machine: { type, network: { hostname }, kubelet: { image: `ghcr.io/siderolabs/kubelet:v${k8s}` }, install: { disk: '/dev/sda', image: IMAGE('v1.11.5') } }, cluster };
}

interface Cluster {
  sim: Sim;
  /** `talosctl <args>` with the cluster's talosconfig (endpoint cp-1). */
  talosctl(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  kubectl(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  m(ip: string): Machine;
}

/**
 * A session whose servers run Talos v1.11.5 configured for one cluster, booted, etcd bootstrapped on the
 * first control plane and the CNI running: cp-1 (203.0.113.10), worker-1 (.11), worker-2 (.12), and with
 * `extraControlPlanes` cp-2 (.13), cp-3 (.14).
 */
async function cluster(opts: { timing?: Partial<Timing>; extraControlPlanes?: boolean; worldDir?: string } = {}): Promise<Cluster> {
  const sim = await simFor({
    timing: { bootMs: 0, etcdMs: 0, apiMs: 0, registerMs: 0, cniMs: 0, workloadMs: 0, ...opts.timing },
    ...(opts.worldDir ? { worldDir: opts.worldDir } : {}),
  });
  const w = sim.world;
  if (opts.extraControlPlanes) for (const ip of ['203.0.113.13', '203.0.113.14']) w.addServer(ip);
  const roles: [string, 'controlplane' | 'worker'][] = [
    ['cp-1', 'controlplane'],
    ['worker-1', 'worker'],
    ['worker-2', 'worker'],
    ['cp-2', 'controlplane'],
    ['cp-3', 'controlplane'],
  ];
  w.machines.forEach((m, i) => {
    const [name, role] = roles[i]!;
    m.disk = { image: `talos:v1.11.5:hcloud-amd64:${SCHEMATIC}`, talosConfig: config(role, name) };
    w.reboot(m, 0);
  });
  w.cluster.bootstrap(w.machines[0]!);
  w.cluster.cni = { readyAt: 0 };
  await sleep(20);
  w.cluster.settle();
  w.cluster.objects.set('Secret/argocd/argocd-secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'argocd-secret', namespace: 'argocd' }, data: { x: b64('y') } });
  const talosconfig = join(sim.root, 'talosconfig');
  writeFileSync(talosconfig, stringify({ context: 'prod', contexts: { prod: { endpoints: ['203.0.113.10'], ca: b64('SIM-CERT os c1'), crt: b64('c'), key: b64('k') } } }));
  const kubeconfig = join(sim.root, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'prod', cluster: { server: 'https://203.0.113.10:6443', 'certificate-authority-data': b64('SIM-CERT k8s c1') } }],
    }),
  );
  const env = { ...sim.env, TALOSCONFIG: talosconfig, KUBECONFIG: kubeconfig };
  return {
    sim,
    talosctl: (...args) => runProcess('talosctl', args, env, sim.workspace),
    kubectl: (...args) => runProcess('kubectl', args, env, sim.workspace),
    m: (ip) => w.machineByIp(ip)!,
  };
}

const nodesJson = async (c: Cluster) => (JSON.parse((await c.kubectl('get', 'nodes', '-o', 'json')).stdout) as Doc).items as Doc[];
const serverOf = (c: Cluster, ip: string) => c.sim.status().servers.find((s) => s.ip === ip)!;

describe('talosctl upgrade', { timeout: 60_000 }, () => {
  it('reboots the node into the image’s version: down meanwhile (Node NotReady), back at the new version, config, etcd data and objects kept, no disk written', async () => {
    const c = await cluster({ timing: { bootMs: 1500 } });
    const member = c.m('203.0.113.10').disk.etcd!.member;
    const r = await c.talosctl('--nodes', '203.0.113.11', 'upgrade', '--image', IMAGE('v1.11.6'), '--wait=false');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NODE\s+ACK\s+STARTED\n203\.0\.113\.11\s+Upgrade request received\s+/);
    // Rebooting: the Talos API does not answer, the Node is NotReady.
    expect(serverOf(c, '203.0.113.11').running).toBe('down');
    expect(c.sim.status().kubernetes.nodes.find((n) => n.name === 'worker-1')?.ready).toBe(false);
    // The default waits until the node answers at the new version (a control plane: etcd kept).
    const cp = await c.talosctl('--nodes', '203.0.113.10', 'upgrade', '--image', IMAGE('v1.11.6'), '--timeout', '1m');
    expect(cp.code, cp.stderr).toBe(0);
    expect((await c.talosctl('--nodes', '203.0.113.10', 'version')).stdout).toMatch(/Server:\n\tNODE:\s+203\.0\.113\.10\n\tTag:\s+v1\.11\.6\n/);
    await sleep(1600);
    expect((await c.talosctl('--nodes', '203.0.113.11', 'version')).stdout).toMatch(/Tag:\s+v1\.11\.6\n$/);
    expect(c.m('203.0.113.10').disk.etcd?.member).toBe(member);
    expect(c.m('203.0.113.10').disk.talosConfig?.machine.network.hostname).toBe('cp-1');
    expect(c.sim.world.cluster.objects.get('Secret/argocd/argocd-secret')).toBeDefined();
    const s = c.sim.status();
    expect(s.servers.map((x) => `${x.ip} ${x.running} ${x.talos_version} ${x.upgrades} ${x.disk_writes}`)).toEqual([
      '203.0.113.10 talos v1.11.6 1 0',
      '203.0.113.11 talos v1.11.6 1 0',
      '203.0.113.12 talos v1.11.5 0 0',
    ]);
    expect(s.kubernetes.nodes.every((n) => n.ready)).toBe(true);
    expect(counterLine(c.sim.world.run)).toBe('disks written: 0, rescue boots: 0, resets: 0, upgrades: 2');
  });

  it('refuses an unknown installer image, a node not running configured Talos, and (as Talos does) a control plane of a two-member etcd', async () => {
    const c = await cluster({ extraControlPlanes: true });
    const unknown = await c.talosctl('--nodes', '203.0.113.11', 'upgrade', '--image', IMAGE('v1.12.0'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`error validating installer image "${IMAGE('v1.12.0')}"`);
    c.sim.world.recycleServer('203.0.113.12', 'talos:v1.11.5:hcloud-amd64:x'); // maintenance mode: no config
    await sleep(10);
    const unconfigured = await c.talosctl('--nodes', '203.0.113.12', 'upgrade', '--image', IMAGE('v1.11.6'));
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stderr).toContain('connection refused');
    expect(serverOf(c, '203.0.113.12').upgrades).toBe(0);
    expect((await c.talosctl('--nodes', '203.0.113.14', 'etcd', 'leave')).code).toBe(0);
    const two = await c.talosctl('--nodes', '203.0.113.13', 'upgrade', '--image', IMAGE('v1.11.6'));
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('error validating etcd for upgrade: etcd member count(2) is insufficient to maintain quorum if upgrade commences');
    expect(serverOf(c, '203.0.113.13')).toMatchObject({ running: 'talos', talos_version: 'v1.11.5', upgrades: 0 });
  });

  it('upgrade-stuck: the node stays down, the fault is kept in the world, and --repair boots what its disk now holds', async () => {
    const worldDir = worldDirFor();
    const c = await cluster({ worldDir });
    SCENARIOS['upgrade-stuck']!.apply(c.sim);
    expect(c.sim.world.faults.stuckUpgrade).toEqual(['203.0.113.12']);
    const r = await c.talosctl('--nodes', '203.0.113.12', 'upgrade', '--image', IMAGE('v1.11.6'), '--wait=false');
    expect(r.code, r.stderr).toBe(0);
    await sleep(50);
    const v = await c.talosctl('--nodes', '203.0.113.12', 'version');
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('DeadlineExceeded');
    await c.sim.stop();
    expect(loadWorld(worldDir)?.faults).toEqual({ stuckUpgrade: ['203.0.113.12'] });

    const before = await runProcess(process.execPath, [BIN, '--world', worldDir, '--status', '--json'], process.env);
    expect((JSON.parse(before.stdout) as Doc).servers[2]).toMatchObject({ ip: '203.0.113.12', power: 'running', running: 'down', talos_version: 'v1.11.6', upgrades: 1 });
    const repair = await runProcess(process.execPath, [BIN, 'example', '--world', worldDir, '--repair', '203.0.113.12'], process.env);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toContain('203.0.113.12 (ztc-sim-3) repaired at its console: it boots Talos v1.11.6 from its disk');
    expect(loadWorld(worldDir)?.faults).toBeUndefined();
    await sleep(500); // the default boot time of a reloaded world
    const after = JSON.parse((await runProcess(process.execPath, [BIN, '--world', worldDir, '--status', '--json'], process.env)).stdout) as Doc;
    expect(after.servers[2]).toMatchObject({ running: 'talos', talos_version: 'v1.11.6' });
    const again = await runProcess(process.execPath, [BIN, '--world', worldDir, '--repair', '203.0.113.12'], process.env);
    expect(again.stdout).toContain('is not stuck (it runs talos): nothing to repair');
    const noServer = await runProcess(process.execPath, [BIN, '--world', worldDir, '--repair', '198.51.100.1'], process.env);
    expect(noServer.code).toBe(64);
    expect(noServer.stderr).toContain('the world has no server 198.51.100.1');
    // Usage: --repair needs a world and an IP; other scenarios than upgrade-stuck stay off a kept world.
    expect((await runProcess(process.execPath, [BIN, '--repair', '203.0.113.12'], process.env)).stderr).toContain('--repair needs --world <dir>');
    expect((await runProcess(process.execPath, [BIN, '--world', worldDir, '--repair'], process.env)).code).toBe(64);
    const other = await runProcess(process.execPath, [BIN, 'example', '--world', worldDir, '--scenario', 'bad-token'], process.env);
    expect(other.code).toBe(64);
    expect(other.stderr).toContain('except upgrade-stuck');
  });
});

describe('talosctl upgrade-k8s', { timeout: 60_000 }, () => {
  it('--dry-run changes nothing; then every Node and the API server report the new version; more than one minor, or a downgrade, is refused', async () => {
    const c = await cluster();
    const dry = await c.talosctl('--nodes', '203.0.113.10', 'upgrade-k8s', '--to', '1.34.2', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('automatically detected the lowest Kubernetes version 1.34.1');
    expect((await nodesJson(c)).map((n) => n.status.nodeInfo.kubeletVersion)).toEqual(['v1.34.1', 'v1.34.1', 'v1.34.1']);
    const r = await c.talosctl('--nodes', '203.0.113.10', 'upgrade-k8s', '--to', '1.34.2');
    expect(r.code, r.stderr).toBe(0);
    expect((await nodesJson(c)).map((n) => `${n.metadata.name} ${n.status.nodeInfo.kubeletVersion}`)).toEqual(['cp-1 v1.34.2', 'worker-1 v1.34.2', 'worker-2 v1.34.2']);
    expect((await c.kubectl('version')).stdout).toContain('Server Version: v1.34.2');
    expect((JSON.parse((await c.kubectl('version', '-o', 'json')).stdout) as Doc).serverVersion.gitVersion).toBe('v1.34.2');
    expect(c.sim.status().servers.map((s) => s.kubelet_version)).toEqual(['v1.34.2', 'v1.34.2', 'v1.34.2']);
    const jump = await c.talosctl('--nodes', '203.0.113.10', 'upgrade-k8s', '--to', '1.36.0');
    expect(jump.code).toBe(1);
    expect(jump.stderr).toContain('unsupported upgrade path 1.34->1.36 (from "1.34.2" to "1.36.0")');
    const down = await c.talosctl('--nodes', '203.0.113.10', 'upgrade-k8s', '--to', '1.33.4');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('unsupported upgrade path 1.34->1.33');
  });
});

describe('etcd membership', { timeout: 60_000 }, () => {
  it('members are listed in hex; leave and remove-member follow etcd’s quorum rules; a member whose node is lost stays listed and counts', async () => {
    const c = await cluster({ extraControlPlanes: true });
    const members = await c.talosctl('--nodes', '203.0.113.10', 'etcd', 'members');
    expect(members.code, members.stderr).toBe(0);
    const ids = Object.fromEntries(
      members.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/))
        .map(([, id, name]) => [name!, id!]),
    );
    expect(Object.keys(ids).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    for (const id of Object.values(ids)) expect(id).toMatch(/^[0-9a-f]{16}$/);

    // cp-3 off: still listed; cp-2 leaving would leave one started member of two: refused.
    c.sim.world.powerOff('203.0.113.14');
    const leave = await c.talosctl('--nodes', '203.0.113.13', 'etcd', 'leave');
    expect(leave.code).toBe(1);
    expect(leave.stderr).toContain('etcdserver: re-configuration failed due to not enough started members');
    expect(c.sim.status().etcd.members.map((m) => `${m.name} ${m.healthy}`)).toEqual(['cp-1 true', 'cp-2 true', 'cp-3 false']);
    // The dead member is removed through a healthy control plane, by its ID as `etcd members` prints it.
    const removed = await c.talosctl('--nodes', '203.0.113.10', 'etcd', 'remove-member', ids['cp-3']!);
    expect(removed.code, removed.stderr).toBe(0);
    expect(c.sim.status().etcd.members.map((m) => m.name)).toEqual(['cp-1', 'cp-2']);
    const again = await c.talosctl('--nodes', '203.0.113.10', 'etcd', 'remove-member', ids['cp-3']!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('code = NotFound');
    // Two members: cp-2 may leave (one started member is a quorum of the one left); the last may not.
    expect((await c.talosctl('--nodes', '203.0.113.13', 'etcd', 'leave')).code).toBe(0);
    expect(c.m('203.0.113.13').disk.etcd).toBeUndefined();
    const last = await c.talosctl('--nodes', '203.0.113.10', 'etcd', 'leave');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('not enough started members');
    expect(c.sim.status()).toMatchObject({ kubernetes: { api: 'up' }, etcd: { running: true, members: [{ name: 'cp-1', healthy: true }] } });
    // A left control plane does not rejoin on its own; it would after its next boot.
    await sleep(20);
    expect(c.sim.world.cluster.memberList.map((e) => e.name)).toEqual(['cp-1']);
  });

  it('snapshot writes a file the simulation reads back; after every control plane lost etcd, bootstrap --recover-from brings the objects back (not on a node with data; a changed file is refused)', async () => {
    const c = await cluster();
    const file = join(c.sim.root, 'db.snapshot');
    const snap = await c.talosctl('--nodes', '203.0.113.10', 'etcd', 'snapshot', file);
    expect(snap.code, snap.stderr).toBe(0);
    const size = statSync(file).size;
    expect(snap.stdout).toMatch(
      new RegExp(`^etcd snapshot saved to "${file}" \\(${size} bytes\\)\\nsnapshot info: hash [0-9a-f]{8}, revision \\d+, total keys \\d+, total size ${size}\\n$`),
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('"sim":"ztc-sim etcd snapshot"');
    expect((await c.talosctl('--nodes', '203.0.113.11', 'etcd', 'snapshot', file)).code).toBe(1); // a worker has no etcd

    const busy = await c.talosctl('--nodes', '203.0.113.10', 'bootstrap', '--recover-from', file);
    expect(busy.stderr).toContain('AlreadyExists');
    expect(c.sim.world.loseEtcd()).toEqual(['203.0.113.10']);
    expect(c.sim.status()).toMatchObject({ kubernetes: { api: 'down' }, etcd: { members: [] } });
    expect(c.sim.world.cluster.objects.size).toBe(0);
    const tampered = join(c.sim.root, 'tampered.snapshot');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('argocd-secret', 'argocd-secreT'));
    const refused = await c.talosctl('--nodes', '203.0.113.10', 'bootstrap', '--recover-from', tampered);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('hash mismatch');
    const r = await c.talosctl('--nodes', '203.0.113.10', 'bootstrap', '--recover-from', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^recovering from snapshot ".*db\.snapshot": hash [0-9a-f]{8}, /);
    await sleep(20);
    expect(c.sim.status().kubernetes.api).toBe('up');
    expect(c.sim.world.cluster.objects.list('v1', 'Secret').map((o) => o.metadata.name)).toEqual(['argocd-secret']);
    expect(c.sim.status().etcd.members.map((m) => m.name)).toEqual(['cp-1']);
  });
});

describe('talosctl reset', { timeout: 60_000 }, () => {
  const RESET = ['reset', '--graceful=true', '--reboot=false', '--system-labels-to-wipe', 'STATE', '--system-labels-to-wipe', 'EPHEMERAL'];

  it('a worker: cordoned, config and kubelet data wiped, the OS kept, powered off; its Node stays NotReady until deleted, and stays deleted', async () => {
    const c = await cluster();
    const r = await c.talosctl('--nodes', '203.0.113.12', ...RESET, '--wait=false');
    expect(r.code, r.stderr).toBe(0);
    expect(serverOf(c, '203.0.113.12')).toMatchObject({ power: 'off', running: 'down', os: 'talos', talos_version: 'v1.11.5', role: null, resets: 1, disk_writes: 0 });
    expect((await c.kubectl('get', 'nodes')).stdout).toMatch(/worker-2\s+NotReady,SchedulingDisabled/);
    expect((await c.kubectl('delete', 'node', 'worker-2')).code).toBe(0);
    await sleep(20);
    expect((await nodesJson(c)).map((n) => n.metadata.name)).toEqual(['cp-1', 'worker-1']);
    // Powered on again, it boots Talos in maintenance mode (no config: not this cluster's node any more).
    c.sim.world.powerOn('203.0.113.12');
    await sleep(20);
    expect((await c.talosctl('--nodes', '203.0.113.12', 'version', '--insecure')).stdout).toContain('Tag:         v1.11.5');
  });

  it('graceful, while the API server is down (etcd lost its quorum): fails as Talos does, waiting for Kubernetes to cordon the node; not graceful: reset', async () => {
    const c = await cluster({ extraControlPlanes: true });
    c.sim.world.powerOff('203.0.113.13');
    c.sim.world.powerOff('203.0.113.14');
    const refused = await c.talosctl('--nodes', '203.0.113.12', ...RESET);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('task cordonAndDrainNode: failed, waiting for node to be cordoned');
    expect(serverOf(c, '203.0.113.12')).toMatchObject({ power: 'running', running: 'talos', resets: 0 });
    const hard = await c.talosctl('--nodes', '203.0.113.12', ...RESET.map((x) => (x === '--graceful=true' ? '--graceful=false' : x)));
    expect(hard.code, hard.stderr).toBe(0);
    expect(serverOf(c, '203.0.113.12')).toMatchObject({ power: 'off', resets: 1 });
  });

  it('a control plane: graceful leaves etcd first, and is refused (the node untouched) when that would lose quorum', async () => {
    const c = await cluster({ extraControlPlanes: true });
    const only = await cluster();
    const refused = await only.talosctl('--nodes', '203.0.113.10', ...RESET);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed to leave cluster');
    expect(refused.stderr).toContain('not enough started members');
    expect(serverOf(only, '203.0.113.10')).toMatchObject({ power: 'running', running: 'talos', role: 'controlplane', etcd_data: true, resets: 0 });

    const r = await c.talosctl('--nodes', '203.0.113.14', ...RESET);
    expect(r.code, r.stderr).toBe(0);
    expect(c.sim.status().etcd.members.map((m) => m.name)).toEqual(['cp-1', 'cp-2']);
    expect(serverOf(c, '203.0.113.14')).toMatchObject({ power: 'off', etcd_data: false, etcd_member: null, resets: 1 });
    // Not graceful: the member's data is wiped but it stays listed (and counts) until removed.
    const hard = await c.talosctl(
      '--nodes',
      '203.0.113.13',
      'reset',
      '--graceful=false',
      '--reboot=false',
      '--system-labels-to-wipe',
      'EPHEMERAL',
      '--system-labels-to-wipe',
      'STATE',
    );
    expect(hard.code, hard.stderr).toBe(0);
    expect(c.sim.status().etcd).toMatchObject({
      running: false,
      members: [
        { name: 'cp-1', data: true },
        { name: 'cp-2', data: false },
      ],
    });
    expect(c.sim.status().kubernetes.api).toBe('down');
  });
});

describe('kubectl cordon, drain, delete node', { timeout: 60_000 }, () => {
  it('drain needs --ignore-daemonsets and --delete-emptydir-data for such pods, evicts the others to other nodes; cordon shows in get nodes -o json', async () => {
    const c = await cluster();
    const w = c.sim.world;
    w.cluster.objects.set('DaemonSet/kube-system/cilium', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: {} });
    w.cluster.objects.set('Deployment/argocd/argocd-repo-server', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'argocd-repo-server', namespace: 'argocd' },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'repo-server' }], volumes: [{ name: 'tmp', emptyDir: {} }] } } },
    });
    const podsOn = async (node: string) =>
      ((JSON.parse((await c.kubectl('get', 'pods', '--all-namespaces', '-o', 'json')).stdout) as Doc).items as Doc[])
        .filter((p) => p.spec.nodeName === node)
        .map((p) => p.metadata.name as string);
    expect(await podsOn('worker-1')).toHaveLength(2);

    const bare = await c.kubectl('drain', 'worker-1', '--timeout=60s');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/cilium-');
    expect(bare.stderr).toContain('cannot delete Pods with local storage (use --delete-emptydir-data to override): argocd/argocd-repo-server-');
    const r = await c.kubectl('drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^node\/worker-1 already cordoned\npod\/argocd-repo-server-\S+ evicted\nnode\/worker-1 drained\n$/);
    expect(await podsOn('worker-1')).toEqual([expect.stringMatching(/^cilium-/)]);
    const node = (await nodesJson(c)).find((n) => n.metadata.name === 'worker-1')!;
    expect(node.spec.unschedulable).toBe(true);
    expect(node.status.addresses).toEqual([{ type: 'InternalIP', address: '203.0.113.11' }]);
    expect(c.sim.status().servers[1]!.cordoned).toBe(true);

    expect((await c.kubectl('uncordon', 'worker-1')).stdout).toBe('node/worker-1 uncordoned\n');
    expect((await nodesJson(c)).find((n) => n.metadata.name === 'worker-1')!.spec.unschedulable).toBeUndefined();
    expect((await c.kubectl('cordon', 'worker-2')).stdout).toBe('node/worker-2 cordoned\n');
    expect((await c.kubectl('get', 'nodes')).stdout).toMatch(/worker-2\s+Ready,SchedulingDisabled/);
    const unknown = await c.kubectl('drain', 'worker-9', '--ignore-daemonsets');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Error from server (NotFound): nodes "worker-9" not found');
  });

  it('a deleted Node whose kubelet still runs registers again (after registering takes its time)', async () => {
    const c = await cluster({ timing: { registerMs: 1000 } });
    await sleep(1100);
    expect((await nodesJson(c)).map((n) => n.metadata.name)).toEqual(['cp-1', 'worker-1', 'worker-2']);
    expect((await c.kubectl('delete', 'node', 'worker-1')).stdout).toBe('node "worker-1" deleted\n');
    expect((await nodesJson(c)).map((n) => n.metadata.name)).toEqual(['cp-1', 'worker-2']);
    await sleep(1100);
    expect((await nodesJson(c)).map((n) => n.metadata.name)).toEqual(['cp-1', 'worker-1', 'worker-2']);
  });
});
