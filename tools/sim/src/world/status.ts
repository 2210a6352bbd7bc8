/**
 * What a world holds, as `npm run sim -- --world <dir> --status [--json]` prints it and specs read it:
 * the servers (power, what they run, what happened to them), the Kubernetes nodes, the etcd members,
 * the Helm releases, and the counters of the last ztc run.
 */
import { kubeletVersion, nodeName, talosVersion, type Counters, type Machine, type World } from './world';

export interface WorldStatus {
  servers: {
    ip: string;
    name: string;
    id: number;
    power: 'running' | 'off';
    /** What answers now: `talos`, `rescue`, `os` (a stock OS), or `down` (off, booting, or stuck). */
    running: 'talos' | 'rescue' | 'os' | 'down';
    /** What runs now: the installed OS (`debian-12`, `talos`), `rescue`, or `none` (an empty disk). */
    os: string;
    /** The Talos version on its disk, when Talos is installed. */
    talos_version: string | null;
    /** The kubelet version of the machine config on its disk (Talos only). */
    kubelet_version: string | null;
    /** The node's role and hostname from the machine config on its disk (Talos only). */
    role: string | null;
    hostname: string | null;
    /** Is its Node object cordoned (spec.unschedulable)? */
    cordoned: boolean;
    /** Does the disk hold an etcd member's data? */
    etcd_data: boolean;
    /** Its entry in etcd's member list (listed until removed, even with its data lost), or null. */
    etcd_member: string | null;
    disk_writes: number;
    rescue_boots: number;
    resets: number;
    upgrades: number;
  }[];
  kubernetes: { api: 'up' | 'down'; nodes: { name: string; ip: string; ready: boolean; kubelet_version: string; cordoned: boolean }[] };
  etcd: { cluster: string | null; running: boolean; members: { name: string; ip: string; id: string; healthy: boolean; data: boolean }[] };
  helm: { release: string; namespace: string; chart: string; version: string; revision: number; status: string }[];
  last_run: { disks_written: number; rescue_boots: number; resets: number; upgrades: number };
}

function osOf(m: Machine): string {
  if (m.power === 'running' && m.target === 'rescue') return 'rescue';
  if (!m.disk.image) return 'none';
  return talosVersion(m.disk.image) ? 'talos' : m.disk.image;
}

export const counterLine = (c: Counters): string => `disks written: ${c.disksWritten}, rescue boots: ${c.rescueBoots}, resets: ${c.resets}, upgrades: ${c.upgrades}`;

export function worldStatus(world: World): WorldStatus {
  const c = world.cluster;
  const running = c.etcdRunning();
  return {
    servers: world.machines.map((m) => {
      const registered = [...c.registered.values()].find((n) => n.ip === m.ip);
      const listed = c.memberList.find((e) => e.ip === m.ip);
      return {
        ip: m.ip,
        name: m.name,
        id: m.id,
        power: m.power,
        running: world.running(m),
        os: osOf(m),
        talos_version: talosVersion(m.disk.image) ?? null,
        kubelet_version: m.disk.talosConfig ? kubeletVersion(m.disk.talosConfig) : null,
        role: m.disk.talosConfig ? String(m.disk.talosConfig.machine?.type) : null,
        hostname: m.disk.talosConfig ? nodeName({ ...m, config: m.disk.talosConfig }) : null,
        cordoned: !!registered?.unschedulable,
        etcd_data: !!m.disk.etcd,
        etcd_member: listed?.id ?? null,
        disk_writes: m.counters.disksWritten,
        rescue_boots: m.counters.rescueBoots,
        resets: m.counters.resets,
        upgrades: m.counters.upgrades,
      };
    }),
    kubernetes: {
      api: c.apiUp() ? 'up' : 'down',
      nodes: c.nodes().map((n) => ({ name: n.name, ip: n.ip, ready: n.ready, kubelet_version: n.kubeletVersion, cordoned: !!n.unschedulable })),
    },
    etcd: {
      cluster: c.id ?? null,
      running,
      members: c.memberList.map((e) => {
        const m = c.holder(e);
        return { name: e.name, ip: e.ip, id: e.id, healthy: running && !!m && c.memberRunning(m), data: !!m };
      }),
    },
    helm: [...c.releases.values()]
      .map((r) => ({
        release: String(r.name),
        namespace: String(r.namespace),
        chart: String(r.chart.metadata.name),
        version: String(r.chart.metadata.version),
        revision: Number(r.version),
        status: String(r.info.status),
      }))
      .sort((a, b) => (`${a.namespace}/${a.release}` < `${b.namespace}/${b.release}` ? -1 : 1)),
    last_run: { disks_written: world.lastRun.disksWritten, rescue_boots: world.lastRun.rescueBoots, resets: world.lastRun.resets, upgrades: world.lastRun.upgrades },
  };
}

/** Rows padded into columns. */
function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]! + 2)))
      .join('')
      .trimEnd(),
  );
}

/** The human form: a compact table per part. */
export function formatStatus(s: WorldStatus): string {
  const out: string[] = [];
  out.push(
    ...columns([
      ['SERVER', 'NAME', 'POWER', 'RUNNING', 'OS', 'TALOS', 'KUBELET', 'ROLE', 'CORDONED', 'ETCD', 'DISK WRITES', 'RESCUE BOOTS', 'RESETS', 'UPGRADES'],
      ...s.servers.map((m) => [
        m.ip,
        m.name,
        m.power,
        m.running,
        m.os,
        m.talos_version ?? '-',
        m.kubelet_version ?? '-',
        m.role ? `${m.role} ${m.hostname}` : '-',
        m.cordoned ? 'yes' : '-',
        // member: listed with its data; lost: listed, data gone (counts against quorum until removed).
        m.etcd_member ? (m.etcd_data ? 'member' : 'lost') : m.etcd_data ? 'data' : '-',
        String(m.disk_writes),
        String(m.rescue_boots),
        String(m.resets),
        String(m.upgrades),
      ]),
    ]),
  );
  out.push('');
  out.push(`kubernetes API: ${s.kubernetes.api}`);
  if (s.kubernetes.nodes.length)
    out.push(
      ...columns([
        ['NODE', 'IP', 'STATUS', 'KUBELET'],
        ...s.kubernetes.nodes.map((n) => [n.name, n.ip, `${n.ready ? 'Ready' : 'NotReady'}${n.cordoned ? ',SchedulingDisabled' : ''}`, n.kubelet_version]),
      ]).map((l) => `  ${l}`),
    );
  out.push(`etcd: ${s.etcd.members.length ? `${s.etcd.running ? 'running' : 'no quorum'}, ${s.etcd.members.length} member(s)` : 'none'}`);
  if (s.etcd.members.length)
    out.push(
      ...columns([['MEMBER', 'IP', 'ID', 'HEALTHY', 'DATA'], ...s.etcd.members.map((m) => [m.name, m.ip, m.id, String(m.healthy), m.data ? 'yes' : 'lost'])]).map((l) => `  ${l}`),
    );
  out.push(`helm: ${s.helm.length ? '' : 'no releases'}`.trimEnd());
  if (s.helm.length)
    out.push(
      ...columns([['RELEASE', 'NAMESPACE', 'CHART', 'VERSION', 'STATUS'], ...s.helm.map((h) => [h.release, h.namespace, h.chart, h.version, h.status])]).map((l) => `  ${l}`),
    );
  out.push(`last run: disks written: ${s.last_run.disks_written}, rescue boots: ${s.last_run.rescue_boots}, resets: ${s.last_run.resets}, upgrades: ${s.last_run.upgrades}`);
  return `${out.join('\n')}\n`;
}
