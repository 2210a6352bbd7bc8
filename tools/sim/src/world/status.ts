/**
 * What a world holds, as `npm run sim -- --world <dir> --status [--json]` prints it and specs read it:
 * the servers (power, what they run, what happened to them), the Kubernetes nodes, the etcd members,
 * the Helm releases, and the counters of the last ztc run.
 */
import { nodeName, talosVersion, type Counters, type Machine, type World } from './world';

export interface WorldStatus {
  servers: {
    ip: string;
    name: string;
    id: number;
    power: 'running' | 'off';
    /** What runs now: the installed OS (`debian-12`, `talos`), `rescue`, or `none` (an empty disk). */
    os: string;
    /** The Talos version on its disk, when Talos is installed. */
    talos_version: string | null;
    /** The node's role and hostname from the machine config on its disk (Talos only). */
    role: string | null;
    hostname: string | null;
    /** Does the disk hold an etcd member's data? */
    etcd_data: boolean;
    disk_writes: number;
    rescue_boots: number;
    resets: number;
  }[];
  kubernetes: { api: 'up' | 'down'; nodes: { name: string; ip: string; ready: boolean; kubelet_version: string }[] };
  etcd: { cluster: string | null; running: boolean; members: { name: string; ip: string; id: string; healthy: boolean }[] };
  helm: { release: string; namespace: string; chart: string; version: string; revision: number; status: string }[];
  last_run: { disks_written: number; rescue_boots: number; resets: number };
}

function osOf(m: Machine): string {
  if (m.power === 'running' && m.target === 'rescue') return 'rescue';
  if (!m.disk.image) return 'none';
  return talosVersion(m.disk.image) ? 'talos' : m.disk.image;
}

export const counterLine = (c: Counters): string => `disks written: ${c.disksWritten}, rescue boots: ${c.rescueBoots}, resets: ${c.resets}`;

export function worldStatus(world: World): WorldStatus {
  const c = world.cluster;
  const running = c.etcdRunning();
  return {
    servers: world.machines.map((m) => ({
      ip: m.ip,
      name: m.name,
      id: m.id,
      power: m.power,
      os: osOf(m),
      talos_version: talosVersion(m.disk.image) ?? null,
      role: m.disk.talosConfig ? String(m.disk.talosConfig.machine?.type) : null,
      hostname: m.disk.talosConfig ? nodeName({ ...m, config: m.disk.talosConfig }) : null,
      etcd_data: !!m.disk.etcd,
      disk_writes: m.counters.disksWritten,
      rescue_boots: m.counters.rescueBoots,
      resets: m.counters.resets,
    })),
    kubernetes: {
      api: c.apiUp() ? 'up' : 'down',
      nodes: c.nodes().map((n) => ({ name: n.name, ip: n.ip, ready: n.ready, kubelet_version: n.kubeletVersion })),
    },
    etcd: {
      cluster: c.id ?? null,
      running,
      members: c
        .members()
        .map((m) => ({ name: nodeName({ ...m, config: m.config ?? m.disk.talosConfig }), ip: m.ip, id: m.disk.etcd!.member, healthy: running && c.memberRunning(m) })),
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
    last_run: { disks_written: world.lastRun.disksWritten, rescue_boots: world.lastRun.rescueBoots, resets: world.lastRun.resets },
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
      ['SERVER', 'NAME', 'POWER', 'OS', 'TALOS', 'ROLE', 'ETCD', 'DISK WRITES', 'RESCUE BOOTS', 'RESETS'],
      ...s.servers.map((m) => [
        m.ip,
        m.name,
        m.power,
        m.os,
        m.talos_version ?? '-',
        m.role ? `${m.role} ${m.hostname}` : '-',
        m.etcd_data ? 'data' : '-',
        String(m.disk_writes),
        String(m.rescue_boots),
        String(m.resets),
      ]),
    ]),
  );
  out.push('');
  out.push(`kubernetes API: ${s.kubernetes.api}`);
  if (s.kubernetes.nodes.length)
    out.push(
      ...columns([['NODE', 'IP', 'STATUS', 'KUBELET'], ...s.kubernetes.nodes.map((n) => [n.name, n.ip, n.ready ? 'Ready' : 'NotReady', n.kubelet_version])]).map((l) => `  ${l}`),
    );
  out.push(`etcd: ${s.etcd.members.length ? `${s.etcd.running ? 'running' : 'no quorum'}, ${s.etcd.members.length} member(s)` : 'none'}`);
  if (s.etcd.members.length) out.push(...columns([['MEMBER', 'IP', 'ID', 'HEALTHY'], ...s.etcd.members.map((m) => [m.name, m.ip, m.id, String(m.healthy)])]).map((l) => `  ${l}`));
  out.push(`helm: ${s.helm.length ? '' : 'no releases'}`.trimEnd());
  if (s.helm.length)
    out.push(
      ...columns([['RELEASE', 'NAMESPACE', 'CHART', 'VERSION', 'STATUS'], ...s.helm.map((h) => [h.release, h.namespace, h.chart, h.version, h.status])]).map((l) => `  ${l}`),
    );
  out.push(`last run: disks written: ${s.last_run.disks_written}, rescue boots: ${s.last_run.rescue_boots}, resets: ${s.last_run.resets}`);
  return `${out.join('\n')}\n`;
}
