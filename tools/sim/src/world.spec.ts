/**
 * A simulated datacenter that remembers: a world kept in a dir across sessions (servers, disks, etcd,
 * the cluster's objects), `npm run sim -- --world <dir> --status [--json]`, the run counters, and the
 * fidelity safety depends on: a disk holds the OS, the machine config and a control plane's etcd data,
 * so writing it loses the member (the last one takes the API and its objects along); quorum; a node
 * that is off stays listed, NotReady.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPO_ROOT } from '../../ztc/testing/temp-workspace';
import { openWorld, runProcess, simTool, startedSteps, workspaceCopy, worldDirFor } from './testing';
import { startSim } from './session';
import { rescueTool } from './world/rescue';
import { worldStatus } from './world/status';
import { World, type Doc } from './world/world';

const BIN = join(__dirname, '..', 'bin', 'ztc-sim.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm run sim -- …` as an operator runs it. */
const npmSim = (args: string[], env: NodeJS.ProcessEnv = process.env) => runProcess(process.execPath, [BIN, ...args], env);

/** A config of a node of cluster `id` (as much as the world reads). */
const config = (id: string, type: string, hostname: string): Doc => ({
  machine: { type, network: { hostname }, kubelet: { image: 'ghcr.io/siderolabs/kubelet:v1.34.1' }, install: { disk: '/dev/sda', image: 'factory.talos.dev/installer/x:v1.11.6' } },
  cluster: { id },
});

/** A world whose servers run Talos from disk with these configs (booted already). */
function talosWorld(configs: Doc[]): World {
  const world = new World({ servers: configs.map((_, i) => `198.51.100.${i + 1}`), timing: { bootMs: 0, etcdMs: 0, apiMs: 0, registerMs: 0, cniMs: 0 } });
  world.machines.forEach((m, i) => {
    m.disk = { image: 'talos:v1.11.6:metal-amd64:x', talosConfig: configs[i] };
    world.reboot(m, 0);
  });
  return world;
}

describe("etcd lives on the control planes' disks", () => {
  it("control planes join once etcd runs; writing a member's disk loses it; quorum needs a majority; the last member takes the API and its objects", async () => {
    const world = talosWorld(['cp-1', 'cp-2', 'cp-3'].map((n) => config('c1', 'controlplane', n)).concat([config('c1', 'worker', 'worker-1')]));
    const [cp1, cp2, cp3, worker] = world.machines as [World['machines'][0], World['machines'][0], World['machines'][0], World['machines'][0]];
    expect(world.cluster.apiUp()).toBe(false);
    world.cluster.bootstrap(cp1);
    await sleep(5);
    expect(world.cluster.apiUp()).toBe(true);
    expect(world.cluster.members().map((m) => m.ip)).toEqual([cp1.ip, cp2.ip, cp3.ip]);
    expect(worker.disk.etcd).toBeUndefined();
    world.cluster.objects.set('Secret/default/s', { kind: 'Secret', metadata: { name: 's' } });

    // dd onto cp-2 from its rescue system: the member is gone with the disk; 2 of 2 still answer.
    cp2.rescueEnabled = true;
    world.reset(cp2);
    await sleep(5);
    expect(rescueTool(world, { tool: 'dd', argv: ['of=/dev/sda'], cwd: '/', env: {}, host: cp2.ip, stdin: Buffer.from('SIM-IMAGE raw talos:v1.11.6:metal-amd64:x') }).code).toBe(0);
    expect(world.cluster.members().map((m) => m.ip)).toEqual([cp1.ip, cp3.ip]);
    expect(cp2.disk).toEqual({ image: 'talos:v1.11.6:metal-amd64:x' });
    expect(world.cluster.apiUp()).toBe(true);
    // As in real etcd, the lost member stays listed until removed, and counts against quorum.
    expect(world.cluster.memberList.map((e) => e.ip)).toEqual([cp1.ip, cp2.ip, cp3.ip]);
    // One of the three listed members off: one serves of three, no quorum, the API does not answer; its objects are still there.
    world.powerOff(cp3.ip);
    expect(world.cluster.apiUp()).toBe(false);
    world.powerOn(cp3.ip);
    await sleep(5);
    expect(world.cluster.apiUp()).toBe(true);
    // The last members' disks written: etcd is gone, and everything the API held with it.
    world.recycleServer(cp3.ip);
    world.recycleServer(cp1.ip);
    expect(world.cluster.members()).toEqual([]);
    expect(world.cluster.apiUp()).toBe(false);
    expect(world.cluster.objects.size).toBe(0);
    expect(world.cluster.id).toBeUndefined();
    expect(world.run).toEqual({ disksWritten: 1, rescueBoots: 1, resets: 1, upgrades: 0 });
    expect(cp2.counters).toEqual({ disksWritten: 1, rescueBoots: 1, resets: 1, upgrades: 0 });
  });

  it('a saved world loads with its servers, disks, etcd members and objects, later', async () => {
    const world = talosWorld([config('c1', 'controlplane', 'cp-1'), config('c1', 'worker', 'worker-1')]);
    world.cluster.bootstrap(world.machines[0]!);
    await sleep(5);
    world.cluster.objects.set('Secret/argocd/x', { kind: 'Secret', metadata: { name: 'x', namespace: 'argocd' } });
    world.powerOff(world.machines[1]!.ip);
    const saved = JSON.parse(JSON.stringify(world.toJSON())) as ReturnType<World['toJSON']>;
    const again = new World({ servers: ['198.51.100.1', '198.51.100.2', '198.51.100.9'], saved, timing: world.timing });
    expect(again.hcloudToken).toBe(world.hcloudToken);
    expect(again.github.privateKeyPem).toBe(world.github.privateKeyPem);
    expect(again.cluster.members().map((m) => m.ip)).toEqual(['198.51.100.1']);
    expect(again.cluster.objects.get('Secret/argocd/x')).toBeDefined();
    expect(worldStatus(again).kubernetes.nodes).toEqual([
      { name: 'cp-1', ip: '198.51.100.1', ready: false, kubelet_version: 'v1.34.1', cordoned: false },
      { name: 'worker-1', ip: '198.51.100.2', ready: false, kubelet_version: 'v1.34.1', cordoned: false },
    ]);
    // The platform names a server the world lacks: it is added, running a stock OS.
    expect(worldStatus(again).servers.map((s) => `${s.ip} ${s.name} ${s.power} ${s.os} ${s.talos_version ?? '-'}`)).toEqual([
      '198.51.100.1 ztc-sim-1 running talos v1.11.6',
      '198.51.100.2 ztc-sim-2 off talos v1.11.6',
      '198.51.100.9 ztc-sim-3 running debian-12 -',
    ]);
  });
});

describe('npm run sim --world', { timeout: 240_000 }, () => {
  it("keeps the example's datacenter across sessions: the second run skips every step, writes no disk; off nodes stay NotReady; a dd onto the control plane loses etcd and the API", async () => {
    const worldDir = worldDirFor();
    const workspace = workspaceCopy();
    const first = await openWorld({ world: worldDir, workspace });
    const r1 = await first.ztc(['bootstrap', 'example']);
    expect(r1.code).toBe(0);
    expect(first.world.lastRun).toEqual({ disksWritten: 6, rescueBoots: 3, resets: 3, upgrades: 0 });
    await first.close();
    expect(statSync(worldDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(worldDir, 'world.json')).mode & 0o777).toBe(0o600);

    // A later session on the same world and checkout: every non-validation step is done, nothing is written.
    const second = await openWorld({ world: worldDir, workspace });
    const r2 = await second.ztc(['bootstrap', 'example']);
    expect(r2.code).toBe(0);
    expect(startedSteps(r2.stdout).filter((s) => !/\/(check-health|validate|validate-cluster|round-trip)$/.test(s))).toEqual([]);
    expect(second.world.lastRun).toEqual({ disksWritten: 0, rescueBoots: 0, resets: 0, upgrades: 0 });

    // The admin password the run was given works against the hash in the cluster; another does not.
    expect(second.world.argocdPasswordWorks(second.env.ARGOCD_ADMIN_PASSWORD!)).toBe(true);
    expect(second.world.argocdPasswordWorks(`${second.env.ARGOCD_ADMIN_PASSWORD!}x`)).toBe(false);

    // What the nodes and tools report.
    const nodes = JSON.parse((await simTool(second, ['kubectl', 'get', 'nodes', '-o', 'json'], { KUBECONFIG: join(second.privateDir, 'kubeconfig') })).stdout) as Doc;
    expect(nodes.items.map((n: Doc) => `${n.metadata.name} ${n.status.nodeInfo.kubeletVersion} ${n.status.conditions[0].status}`)).toEqual([
      'cp-1 v1.34.1 True',
      'worker-1 v1.34.1 True',
      'worker-2 v1.34.1 True',
    ]);
    const version = await simTool(second, ['talosctl', '--nodes', '203.0.113.11', 'version'], { TALOSCONFIG: join(second.privateDir, 'talos/talosconfig') });
    expect(version.stdout).toMatch(/Server:\n\tNODE:\s+203\.0\.113\.11\n\tTag:\s+v1\.11\.5\n/);
    const members = await simTool(second, ['talosctl', '--nodes', '203.0.113.10', 'etcd', 'members'], { TALOSCONFIG: join(second.privateDir, 'talos/talosconfig') });
    expect(members.stdout).toMatch(
      /^NODE\s+ID\s+HOSTNAME\s+PEER URLS\s+CLIENT URLS\s+LEARNER\n203\.0\.113\.10\s+[0-9a-f]{16}\s+cp-1\s+https:\/\/203\.0\.113\.10:2380\s+https:\/\/203\.0\.113\.10:2379\s+false\n$/,
    );
    const worker = await simTool(second, ['talosctl', '--nodes', '203.0.113.11', 'etcd', 'members'], { TALOSCONFIG: join(second.privateDir, 'talos/talosconfig') });
    expect(worker.code).toBe(1);

    // A powered-off worker stays in the Node list, NotReady.
    second.world.powerOff('203.0.113.12');
    const off = JSON.parse((await simTool(second, ['kubectl', 'get', 'nodes', '-o', 'json'], { KUBECONFIG: join(second.privateDir, 'kubeconfig') })).stdout) as Doc;
    expect(off.items.map((n: Doc) => `${n.metadata.name} ${n.status.conditions[0].status}`)).toEqual(['cp-1 True', 'worker-1 True', 'worker-2 False']);
    await second.close();

    // --status --json of the saved world, as an operator prints it.
    const status = await npmSim(['--world', worldDir, '--status', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as Doc;
    expect(s.servers.map((x: Doc) => [x.ip, x.name, x.power, x.os, x.talos_version, x.disk_writes, x.rescue_boots, x.resets])).toEqual([
      ['203.0.113.10', 'ztc-sim-1', 'running', 'talos', 'v1.11.5', 2, 1, 1],
      ['203.0.113.11', 'ztc-sim-2', 'running', 'talos', 'v1.11.5', 2, 1, 1],
      ['203.0.113.12', 'ztc-sim-3', 'off', 'talos', 'v1.11.5', 2, 1, 1],
    ]);
    expect(s.kubernetes.nodes).toEqual([
      { name: 'cp-1', ip: '203.0.113.10', ready: true, kubelet_version: 'v1.34.1', cordoned: false },
      { name: 'worker-1', ip: '203.0.113.11', ready: true, kubelet_version: 'v1.34.1', cordoned: false },
      { name: 'worker-2', ip: '203.0.113.12', ready: false, kubelet_version: 'v1.34.1', cordoned: false },
    ]);
    expect(s.etcd.members).toEqual([{ name: 'cp-1', ip: '203.0.113.10', id: expect.stringMatching(/^[0-9a-f]{16}$/), healthy: true, data: true }]);
    expect(s.helm).toEqual([{ release: 'cilium', namespace: 'kube-system', chart: 'cilium', version: '1.18.5', revision: 1, status: 'deployed' }]);
    expect(s.last_run).toEqual({ disks_written: 0, rescue_boots: 0, resets: 0, upgrades: 0 });
    const human = await npmSim(['--world', worldDir, '--status']);
    expect(human.stdout).toMatch(
      /^SERVER\s+NAME\s+POWER\s+RUNNING\s+OS\s+TALOS\s+KUBELET\s+ROLE\s+CORDONED\s+ETCD\s+DISK WRITES\s+RESCUE BOOTS\s+RESETS\s+UPGRADES\n203\.0\.113\.10\s+ztc-sim-1\s+running\s+talos\s+talos\s+v1\.11\.5\s+v1\.34\.1\s+controlplane cp-1\s+-\s+member\s+2\s+1\s+1\s+0\n/,
    );

    // A third session: cp-1's disk written from its rescue system loses the only etcd member: the API
    // and every object in it (Secrets, Argo CD, Helm releases) are gone.
    const third = await openWorld({ world: worldDir, workspace });
    expect(third.world.cluster.objects.get('Secret/argocd/argocd-secret')).toBeDefined();
    const cp = third.world.machineByIp('203.0.113.10')!;
    cp.rescueEnabled = true;
    third.world.reset(cp);
    await sleep(third.world.timing.bootMs + 50);
    expect(
      rescueTool(third.world, { tool: 'dd', argv: ['of=/dev/sda'], cwd: '/', env: {}, host: cp.ip, stdin: Buffer.from('SIM-IMAGE raw talos:v1.11.5:hcloud-amd64:x') }).code,
    ).toBe(0);
    const lost = third.status();
    expect(lost.etcd.members).toEqual([]);
    expect(lost.kubernetes).toEqual({ api: 'down', nodes: [] });
    expect(lost.helm).toEqual([]);
    expect(third.world.cluster.objects.size).toBe(0);
    expect((await simTool(third, ['kubectl', 'get', 'nodes'], { KUBECONFIG: join(third.privateDir, 'kubeconfig') })).stderr).toContain('connect: connection refused');
  });

  it("with the caller's environment (npm run sim --world), the caller's secret env vars win over the world's and ZTC_PRIVATE_DIR is the caller's", async () => {
    const saved = { ...process.env };
    onTestFinished(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });
    const world = worldDirFor();
    const privateDir = join(world, 'operator-private');
    process.env.ARGOCD_ADMIN_PASSWORD = 'Caller-Rotated-Password-1';
    process.env.ZTC_PRIVATE_DIR = privateDir;
    delete process.env.HCLOUD_TOKEN;
    const sim = await startSim({ repoRoot: REPO_ROOT, platform: 'example', worldDir: world, workspace: workspaceCopy(), privateDir: null, callerEnv: true });
    onTestFinished(() => sim.stop());
    expect(sim.env.ARGOCD_ADMIN_PASSWORD).toBe('Caller-Rotated-Password-1');
    expect(sim.env.HCLOUD_TOKEN).toBe(sim.world.hcloudToken);
    expect(sim.env.ZTC_PRIVATE_DIR).toBe(privateDir);
    expect(sim.privateDir).toBe(privateDir);
    expect(sim.env.HCLOUD_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    // A second session on the same world while this one runs is refused, naming the holder.
    await expect(startSim({ repoRoot: REPO_ROOT, platform: 'example', worldDir: world, workspace: workspaceCopy() })).rejects.toThrow(`is in use by process ${process.pid}`);
  });

  it('ends every run with one line counting disk writes, rescue boots and resets; --status without a world is a usage error', async () => {
    const r = await npmSim(['example', '--quiet', '--scenario', 'bad-token']);
    expect(r.code).toBe(3);
    expect(r.stderr.trimEnd().split('\n').pop()).toBe('disks written: 0, rescue boots: 0, resets: 0, upgrades: 0');
    expect(r.stderr.match(/^disks written:/gm)).toHaveLength(1);
    const noWorld = await npmSim(['--status']);
    expect(noWorld.code).toBe(64);
    expect(noWorld.stderr).toContain('--status needs --world <dir>');
  });
});
