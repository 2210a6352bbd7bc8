/**
 * The simulated datacenter's state: Hetzner Cloud servers and what runs on them (their own OS, the
 * rescue system, Talos), the Kubernetes cluster those Talos nodes form, and every call made to it.
 * Time is real but short (`Timing`); state is computed from timestamps when asked, so nothing ticks in
 * the background. Faults make it misbehave on demand (`Faults`). The tools that talk to it live next to
 * this file (hcloud.ts, rescue.ts, talosctl.ts, kubectl.ts, helm.ts); the HTTP front is ../server.ts.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { makeGithubApp, type GithubState } from './github';
import type { S3State } from './s3';

export type Doc = Record<string, any>;

/** How long things take in the simulation (ms). */
export interface Timing {
  /** A Hetzner action (enable_rescue, reset, poweron) runs this long. */
  actionMs: number;
  /** A reboot into the rescue system or into the OS on disk. */
  bootMs: number;
  /** Talos installing itself after its first config, and rebooting. */
  installMs: number;
  /** etcd starting after `talosctl bootstrap`. */
  etcdMs: number;
  /** The API server answering after etcd runs. */
  apiMs: number;
  /** A kubelet registering its node once the API answers. */
  registerMs: number;
  /** Cilium agents and operator turning ready after the chart is installed. */
  cniMs: number;
  /** Any other workload turning ready after it is created (once the CNI runs). */
  workloadMs: number;
  /** A Crossplane provider package installed and healthy after its Provider is created. */
  providerMs: number;
}

export const DEFAULT_TIMING: Timing = { actionMs: 150, bootMs: 400, installMs: 500, etcdMs: 300, apiMs: 300, registerMs: 200, cniMs: 500, workloadMs: 400, providerMs: 500 };

/** Misbehaviour on demand. */
export interface Faults {
  /** Public IPv4s of hetzner.server_ips that the project does not have. */
  missingServers?: string[];
  /** Answer API requests whose path contains `match` (any, if absent) with `status`, `times` times. */
  apiErrors?: { status: number; times: number; match?: string; retryAfter?: number }[];
  /** Extra latency of every API answer. */
  apiDelayMs?: number;
  /** Servers that never come back from their next reboot. */
  neverBoots?: string[];
  /** Hosts where an ssh command never returns (the client hangs until it is killed). */
  hangSsh?: string[];
  /** Servers powered off at the start. */
  offServers?: string[];
}

export type Running = 'os' | 'rescue' | 'talos' | 'down';

export interface Machine {
  id: number;
  name: string;
  ip: string;
  power: 'running' | 'off';
  rescueEnabled: boolean;
  /** Public keys the next rescue boot accepts. */
  rescueKeys: string[];
  /** Keys the running rescue system accepts. */
  authorizedKeys: string[];
  /** What runs, once `readyAt` has passed (before that: down, booting). */
  target: Running;
  readyAt: number;
  disk: { image?: string; talosConfig?: Doc };
  /** The Talos config the node runs with (absent: maintenance mode). */
  config?: Doc;
  configuredAt?: number;
}

export interface Call {
  seq: number;
  /** ms since the world started. */
  t: number;
  tool: string;
  argv: string[];
  /** The ztc step that made the call (ZTC_STEP of the caller). */
  step?: string;
  /** The server the call concerns, by IPv4. */
  node?: string;
  code?: number;
}

export interface WorldOptions {
  servers: string[];
  /** The GitHub App the platform uses (ids) and the repositories (owner/name) its installation sees. */
  github?: { appId: string; installationId: string; repositories: string[] };
  /** Buckets that exist in the object storage. */
  buckets?: string[];
  /** Git repositories Argo CD can fetch (URL without .git → a folder holding its HEAD). */
  repositories?: Record<string, string>;
  /** The project's API token (default: a random one). */
  hcloudToken?: string;
  timing?: Partial<Timing>;
  faults?: Faults;
}

export class World extends EventEmitter {
  readonly started = Date.now();
  readonly timing: Timing;
  readonly faults: Faults;
  /** The project's API token (what HCLOUD_TOKEN must be). */
  readonly hcloudToken: string;
  /** What the run is given as ARGOCD_ADMIN_PASSWORD. */
  readonly adminPassword = `Sim-${randomToken(20)}`;
  readonly machines: Machine[];
  readonly sshKeys: { id: number; name: string; public_key: string; fingerprint: string; labels: Doc }[] = [];
  readonly actions = new Map<number, { id: number; command: string; server: number; doneAt: number; status: 'running' | 'success' | 'error' }>();
  readonly calls: Call[] = [];
  /** Values the world made that are credentials (PKI, tokens): they must never leave the private dir. */
  readonly credentials = new Set<string>();
  /** Secret values callers hold (env secrets): masked in the call log; one in an argv is a leak. */
  readonly callerSecrets = new Set<string>();
  readonly leaks: string[] = [];
  readonly cluster: Cluster = new Cluster(this);
  readonly s3: S3State;
  readonly github: GithubState;
  readonly repositories: Record<string, string>;
  private nextId = 1000;

  constructor(opts: WorldOptions) {
    super();
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.faults = opts.faults ?? {};
    this.hcloudToken = opts.hcloudToken ?? randomToken(64);
    this.callerSecrets.add(this.hcloudToken);
    this.s3 = { accessKey: randomToken(20).toUpperCase(), secretKey: randomToken(40), buckets: new Map((opts.buckets ?? []).map((b) => [b, new Map()])) };
    this.repositories = opts.repositories ?? {};
    this.github = makeGithubApp(opts.github?.appId ?? '1', opts.github?.installationId ?? '1', opts.github?.repositories ?? []);
    for (const s of [this.s3.accessKey, this.s3.secretKey, this.github.privateKeyPem, this.adminPassword]) this.callerSecrets.add(s);
    this.machines = opts.servers
      .filter((ip) => !this.faults.missingServers?.includes(ip))
      .map((ip, i) => ({
        id: 4201 + i,
        name: `ztc-sim-${i + 1}`,
        ip,
        power: this.faults.offServers?.includes(ip) ? 'off' : 'running',
        rescueEnabled: false,
        rescueKeys: [],
        authorizedKeys: [],
        target: this.faults.offServers?.includes(ip) ? 'down' : 'os',
        readyAt: 0,
        disk: { image: 'debian-12' },
      }));
  }

  now(): number {
    return Date.now();
  }

  id(): number {
    return ++this.nextId;
  }

  /** A fresh credential value, remembered for the leak checks. */
  credential(prefix: string): string {
    const value = `${prefix}-${randomToken(24)}`;
    this.credentials.add(value);
    return value;
  }

  machineByIp(ip: string): Machine | undefined {
    return this.machines.find((m) => m.ip === ip);
  }

  /** What runs on the machine now. */
  running(m: Machine): Running {
    if (m.power === 'off') return 'down';
    if (this.now() < m.readyAt) return 'down';
    return m.target;
  }

  /** Reboot: into rescue if enabled (once), else from disk. */
  reboot(m: Machine, delay = this.timing.bootMs): void {
    m.power = 'running';
    m.readyAt = this.faults.neverBoots?.includes(m.ip) ? Number.POSITIVE_INFINITY : this.now() + delay;
    if (m.rescueEnabled) {
      m.target = 'rescue';
      m.rescueEnabled = false;
      m.authorizedKeys = m.rescueKeys;
      m.config = undefined;
      return;
    }
    m.authorizedKeys = [];
    if (m.disk.talosConfig) {
      m.target = 'talos';
      m.config = m.disk.talosConfig;
      m.configuredAt ??= m.readyAt;
    } else if (m.disk.image?.startsWith('talos:')) {
      m.target = 'talos';
      m.config = undefined;
    } else {
      m.target = 'os';
    }
  }

  record(call: Omit<Call, 'seq' | 't'>): Call {
    const masked = call.argv.map((a) => this.mask(a));
    for (const secret of this.callerSecrets) {
      if (call.argv.some((a) => a.includes(secret))) this.leaks.push(`${call.tool}: a secret value on its command line (${call.step ?? 'no step'})`);
    }
    const entry: Call = { ...call, argv: masked, seq: this.calls.length + 1, t: this.now() - this.started };
    this.calls.push(entry);
    this.emit('call', entry);
    return entry;
  }

  mask(text: string): string {
    let out = text;
    for (const s of [...this.callerSecrets, ...this.credentials]) if (s) out = out.split(s).join('***');
    return out;
  }
}

/** The Kubernetes cluster the Talos nodes form (one per world). */
export class Cluster {
  /** cluster.id of the configs that formed it (from the secrets bundle). */
  id?: string;
  etcdAt?: number;
  objects = new Map<string, Doc>();
  /** When each stored object was created (for the time its workload or controller takes). */
  createdAt = new Map<string, number>();
  releases = new Map<string, Doc>();
  initialAdminSecretMade = false;
  /** When the CNI's agents and operator turn ready; `broken` keeps them crash-looping. */
  cni?: { readyAt: number; broken?: string };

  constructor(private readonly world: World) {}

  get apiReadyAt(): number | undefined {
    return this.etcdAt === undefined ? undefined : this.etcdAt + this.world.timing.apiMs;
  }

  apiUp(): boolean {
    return this.apiReadyAt !== undefined && this.world.now() >= this.apiReadyAt;
  }

  /** Nodes registered with the API: configured Talos machines of this cluster, once the API answers. */
  nodes(): { name: string; ip: string; role: string; ready: boolean; registeredAt: number }[] {
    const api = this.apiReadyAt;
    if (api === undefined || !this.id) return [];
    const now = this.world.now();
    return this.world.machines
      .filter((m) => this.world.running(m) === 'talos' && m.config?.cluster?.id === this.id)
      .map((m) => ({
        name: String(m.config!.machine?.network?.hostname ?? `talos-${m.ip.replace(/\./g, '-')}`),
        ip: m.ip,
        role: String(m.config!.machine.type),
        registeredAt: Math.max(api, m.configuredAt ?? 0) + this.world.timing.registerMs,
        ready: this.cniReady(),
      }))
      .filter((n) => now >= n.registeredAt)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  cniReady(): boolean {
    return !!this.cni && !this.cni.broken && this.world.now() >= this.cni.readyAt;
  }
}

export function randomToken(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}
