/**
 * Day-2 operations in one simulated world kept across runs (issue 18): after a day-1 bootstrap of the
 * example, what an operator does to a live platform by editing platform.yaml and running bootstrap again,
 * plus the two commands of their own: `ztc backup` and `ztc destroy`. Each case was, before, a run that
 * exited 0 and changed nothing (a version bump recorded but never installed, a removed node still
 * registered and Ready), or a command that did not exist.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Call } from './world/world';
import { openWorld, simTool, startedSteps, workspaceCopyKept, worldDirKept } from './testing';

const P = 'platforms/example';
const IPS = { cp1: '203.0.113.10', w1: '203.0.113.11', w2: '203.0.113.12', cp2: '203.0.113.13', cp3: '203.0.113.14' };

describe('day-2 operations: one world, one checkout, many runs', { timeout: 600_000 }, () => {
  const world = worldDirKept('ztc-day2-ops-world-');
  const ws = workspaceCopyKept();
  const platformFile = join(ws, P, 'platform.yaml');
  const edit = (fn: (yaml: string) => string) => writeFileSync(platformFile, fn(readFileSync(platformFile, 'utf8')));
  const open = () => openWorld({ world, workspace: ws });
  /** The calls of one tool made since `from`, as `<node> <argv…>`. */
  const callsOf = (calls: Call[], tool: string, pick: (c: Call) => boolean = () => true) => calls.filter((c) => c.tool === tool && pick(c));
  const nodesReady = (s: ReturnType<Awaited<ReturnType<typeof open>>['status']>) =>
    s.kubernetes.nodes.map((n) => `${n.name} ${n.ready ? 'Ready' : 'NotReady'} ${n.kubelet_version}`);

  it('day 1: the example bootstraps from bare servers at Talos v1.11.5', async () => {
    // A node that never comes back is named after upgrade-os's deadline: 40 s here, not the hour a
    // real upgrade gets (the simulated nodes reboot in well under a second).
    const adapter = join(ws, 'adapters/talos/adapter.yaml');
    writeFileSync(adapter, readFileSync(adapter, 'utf8').replace(/(file: scripts\/bootstrap\/upgrade-os\.sh[\s\S]*?timeout_seconds: )\d+/, '$140'));
    const sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(sim.status().servers.map((s) => s.talos_version)).toEqual(['v1.11.5', 'v1.11.5', 'v1.11.5']);
    await sim.close();
  });

  it('Talos v1.11.5 → v1.11.6: plan shows it; control plane first, one node at a time, an etcd snapshot first, 0 disks written', async () => {
    edit((y) => y.replace('cluster_name: prod', 'version: v1.11.6\n    cluster_name: prod'));
    const sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const plan = await sim.ztc(['plan', 'example']);
    expect(plan.stdout).toMatch(/talos\/upgrade-os.*\n(.*\n)*?.*talos_version/);
    const before = sim.world.calls.length;
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const made = sim.world.calls.slice(before);
    const upgrades = callsOf(made, 'talosctl', (c) => c.argv.includes('upgrade'));
    expect(upgrades.map((c) => c.node)).toEqual([IPS.cp1, IPS.w1, IPS.w2]);
    // One at a time: each node answers at the new version before the next one is upgraded.
    for (const [i, next] of upgrades.slice(1).entries()) {
      const prev = upgrades[i]!;
      const backAt = made.findIndex((c) => c.seq > prev.seq && c.tool === 'talosctl' && c.node === prev.node && c.argv.includes('version') && c.code === 0);
      expect(backAt, `${prev.node} asked back before ${next.node}`).toBeGreaterThan(-1);
      expect(made[backAt]!.seq).toBeLessThan(next.seq);
    }
    const snapshot = callsOf(made, 'talosctl', (c) => c.argv.includes('snapshot'));
    expect(snapshot.length).toBeGreaterThan(0);
    expect(snapshot[0]!.seq).toBeLessThan(upgrades[0]!.seq);
    expect(readdirSync(join(sim.privateDir, 'talos', 'backups')).some((f) => f.endsWith('.snapshot'))).toBe(true);
    const s = sim.status();
    expect(s.servers.map((m) => m.talos_version)).toEqual(['v1.11.6', 'v1.11.6', 'v1.11.6']);
    expect(s.last_run.disks_written).toBe(0);
    expect(nodesReady(s)).toEqual(['cp-1 Ready v1.34.1', 'worker-1 Ready v1.34.1', 'worker-2 Ready v1.34.1']);
    expect(JSON.parse(readFileSync(join(ws, P, '.ztc/state/machines', `${IPS.w2}.json`), 'utf8'))).toMatchObject({ version: 'v1.11.6' });
    await sim.close();
  });

  it('a node that does not come back from its upgrade: the run stops naming it, later nodes untouched; after the fix it resumes', async () => {
    edit((y) => y.replace('version: v1.11.6', 'version: v1.11.7'));
    let sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    sim.world.faults.stuckUpgrade = [IPS.w1];
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/ERROR: .*worker-1 \(203\.0\.113\.11\)/);
    expect(sim.status().servers.map((m) => m.talos_version)).toEqual(['v1.11.7', 'v1.11.7', 'v1.11.6']);
    expect(sim.world.calls.some((c) => c.tool === 'talosctl' && c.node === IPS.w2 && c.argv.includes('upgrade'))).toBe(false);
    await sim.close();

    sim = await open();
    sim.world.repairNode(IPS.w1);
    const before = sim.world.calls.length;
    const again = await sim.ztc(['bootstrap', 'example']);
    expect(again.code, again.stdout.slice(-3000)).toBe(0);
    const made = sim.world.calls.slice(before);
    expect(callsOf(made, 'talosctl', (c) => c.argv.includes('upgrade')).map((c) => c.node)).toEqual([IPS.w2]);
    expect(sim.status().servers.map((m) => m.talos_version)).toEqual(['v1.11.7', 'v1.11.7', 'v1.11.7']);
    await sim.close();
  });

  it('Kubernetes 1.34.1 → 1.34.2: upgrade-k8s after its dry run; every kubelet reports it and validation compares it', async () => {
    edit((y) => y.replace('cluster_name: prod', 'kubernetes_version: 1.34.2\n    cluster_name: prod'));
    const sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const before = sim.world.calls.length;
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const k8s = callsOf(sim.world.calls.slice(before), 'talosctl', (c) => c.argv.includes('upgrade-k8s'));
    expect(k8s.map((c) => c.argv.includes('--dry-run'))).toEqual([true, false]);
    expect(nodesReady(sim.status())).toEqual(['cp-1 Ready v1.34.2', 'worker-1 Ready v1.34.2', 'worker-2 Ready v1.34.2']);
    expect(sim.status().last_run.disks_written).toBe(0);
    await sim.close();
  });

  it('Cilium 1.18.5 → the second vendored chart: helm upgrade at the new version, and it runs', async () => {
    const next = readdirSync(join(__dirname, '../../upstream/cilium'))
      .filter((v) => v !== '1.18.5' && statSync(join(__dirname, '../../upstream/cilium', v)).isDirectory())
      .sort()
      .pop()!;
    expect(next).toBeDefined();
    edit((y) => y.replace('version: v1.18.5', `version: v${next}`));
    const sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(sim.status().helm.find((h) => h.release === 'cilium')).toMatchObject({ version: next, status: 'deployed' });
    await sim.close();
  });

  it('a checkout that lost .ztc/ after these upgrades: every step asks the cluster again, and nothing is upgraded, reset or written', async () => {
    const second = worldDirKept('ztc-day2-ops-checkout-');
    cpSync(ws, second, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.startsWith(join(ws, P, '.ztc')) });
    expect(existsSync(join(second, P, '.ztc'))).toBe(false);
    const sim = await openWorld({ world, workspace: second });
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toContain('[talos/upgrade-os] every configured node that answers runs Talos v1.11.7: nothing to upgrade');
    expect(sim.status().last_run).toEqual({ disks_written: 0, rescue_boots: 0, resets: 0, upgrades: 0 });
    expect(nodesReady(sim.status())).toEqual(['cp-1 Ready v1.34.2', 'worker-1 Ready v1.34.2', 'worker-2 Ready v1.34.2']);
    await sim.close();
  });

  it('a worker removed from platform.yaml is drained, reset, deleted from Kubernetes and its facts cleared; its server kept', async () => {
    // Out of talos.nodes and out of hetzner.server_ips: a listed server is one pre-work powers on.
    edit((y) => y.replace(/\n\s+- \{ name: worker-2[^\n]*/, '').replace(', 203.0.113.12]', ']'));
    const sim = await open();
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const before = sim.world.calls.length;
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const made = sim.world.calls.slice(before);
    const kubectl = callsOf(made, 'kubectl').map((c) => c.argv.filter((a) => !a.startsWith('-'))[0]);
    expect(kubectl).toEqual(expect.arrayContaining(['cordon', 'drain', 'delete']));
    expect(callsOf(made, 'talosctl', (c) => c.argv.includes('reset')).map((c) => c.node)).toEqual([IPS.w2]);
    const s = sim.status();
    expect(s.kubernetes.nodes.map((n) => n.name)).toEqual(['cp-1', 'worker-1']);
    expect(s.servers.find((m) => m.ip === IPS.w2)).toMatchObject({ power: 'off' });
    expect(s.last_run).toMatchObject({ disks_written: 0, resets: 1 });
    expect(existsSync(join(ws, P, '.ztc/state/machines', `${IPS.w2}.json`))).toBe(false);
    await sim.close();
  });

  it('three control planes → two keeps quorum; removing two at once is refused at render time', async () => {
    let sim = await open();
    sim.world.addServer(IPS.cp2);
    sim.world.addServer(IPS.cp3);
    edit((y) =>
      y
        .replace('203.0.113.11]', `203.0.113.11, ${IPS.cp2}, ${IPS.cp3}]`)
        .replace(/(\n\s+- \{ name: worker-1[^\n]*)/, `$1\n      - { name: cp-2, ip: ${IPS.cp2}, role: controlplane }\n      - { name: cp-3, ip: ${IPS.cp3}, role: controlplane }`),
    );
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const grow = await sim.ztc(['bootstrap', 'example']);
    expect(grow.code, grow.stdout.slice(-3000)).toBe(0);
    expect(
      sim
        .status()
        .etcd.members.map((m) => m.name)
        .sort(),
    ).toEqual(['cp-1', 'cp-2', 'cp-3']);
    await sim.close();

    const pipeline = readFileSync(join(ws, P, 'pipeline.yaml'), 'utf8');
    const grown = readFileSync(platformFile, 'utf8');
    edit((y) => y.replace(/\n\s+- \{ name: cp-2[^\n]*/, '').replace(/\n\s+- \{ name: cp-3[^\n]*/, ''));
    sim = await open();
    const refused = await sim.ztc(['render', 'example']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/control plane/);
    expect(refused.stderr).toMatch(/one control plane at a time/);
    expect(readFileSync(join(ws, P, 'pipeline.yaml'), 'utf8')).toBe(pipeline);

    writeFileSync(platformFile, grown.replace(/\n\s+- \{ name: cp-3[^\n]*/, ''));
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const shrink = await sim.ztc(['bootstrap', 'example']);
    expect(shrink.code, shrink.stdout.slice(-3000)).toBe(0);
    const s = sim.status();
    expect(s.etcd.members.map((m) => m.name).sort()).toEqual(['cp-1', 'cp-2']);
    expect(s.etcd.running).toBe(true);
    expect(s.kubernetes.api).toBe('up');
    expect(s.kubernetes.nodes.map((n) => n.name).sort()).toEqual(['cp-1', 'cp-2', 'worker-1']);
    await sim.close();
  });

  it('ztc backup writes an etcd snapshot to the private dir; every control plane loses etcd; the cluster comes back from it', async () => {
    let sim = await open();
    const b = await sim.ztc(['backup', 'example']);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const dir = join(sim.privateDir, 'talos', 'backups');
    const latest = readdirSync(dir)
      .filter((f) => f.endsWith('.snapshot'))
      .sort()
      .pop()!;
    expect(b.stdout + b.stderr).toContain(latest);
    const namespaces = sim.world.cluster.objects.list('v1', 'Namespace').map((o) => o.metadata.name);
    expect(namespaces).toContain('argocd');

    sim.world.loseEtcd();
    expect(sim.status().kubernetes.api).toBe('down');
    const recover = await simTool(sim, [
      'talosctl',
      '--talosconfig',
      join(sim.privateDir, 'talos', 'talosconfig'),
      '--nodes',
      IPS.cp1,
      'bootstrap',
      '--recover-from',
      join(dir, latest),
    ]);
    expect(recover.code, recover.stdout + recover.stderr).toBe(0);
    await sim.close();

    sim = await open();
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const s = sim.status();
    expect(s.kubernetes.api).toBe('up');
    expect(s.etcd.members.map((m) => m.name).sort()).toEqual(['cp-1', 'cp-2']);
    expect(sim.world.cluster.objects.list('v1', 'Namespace').map((o) => o.metadata.name)).toEqual(expect.arrayContaining(namespaces));
    expect(startedSteps(r.stdout)).not.toContain('talos/bootstrap-etcd');
    await sim.close();
  });

  it('ztc destroy: refused without --confirm, --dry-run lists and changes nothing, then the world has no cluster and keeps its servers', async () => {
    const sim = await open();
    const refused = await sim.ztc(['destroy', 'example']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('--confirm example');

    const before = sim.world.calls.length;
    const dry = await sim.ztc(['destroy', 'example', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    for (const step of ['argocd/', 'cilium/', 'talos/', 'hetzner/']) expect(dry.stdout + dry.stderr).toContain(step);
    expect(sim.world.calls.slice(before).filter((c) => c.tool !== 'hcloud-api' || c.argv[0] !== 'GET')).toEqual([]);

    const r = await sim.ztc(['destroy', 'example', '--confirm', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const s = sim.status();
    expect(s.kubernetes.api).toBe('down');
    expect(s.etcd.members).toEqual([]);
    expect(s.servers.map((m) => m.ip)).toEqual([IPS.cp1, IPS.w1, IPS.w2, IPS.cp2, IPS.cp3]);
    // Every node reset (no machine config, no etcd data: Talos alone stays on its disk) and powered off.
    expect(s.servers.map((m) => [m.ip, m.power, m.role, m.etcd_data])).toEqual(Object.values(IPS).map((ip) => [ip, 'off', null, false]));
    expect(sim.world.sshKeys).toEqual([]);
    expect(existsSync(join(sim.privateDir, 'talos', 'talosconfig'))).toBe(true);
    await sim.close();
  });
});
