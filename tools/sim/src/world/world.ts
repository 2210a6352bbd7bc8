/**
 * The simulated datacenter's state: Hetzner Cloud servers and what runs on them (their own OS, the
 * rescue system, Talos), the Kubernetes cluster those Talos nodes form, and every call made to it.
 * Time is real but short (`Timing`); state is computed from timestamps when asked, so nothing ticks in
 * the background. Faults make it misbehave on demand (`Faults`). A disk holds what a real one does (the
 * installed OS, the machine config, a control plane's etcd data): writing it loses them. etcd is the set
 * of members on the control planes' disks; the Kubernetes API and every object in it live as long as one
 * member does, and answer while a majority runs. The whole state can be saved (`toJSON`) and loaded
 * again (`WorldOptions.saved`): times are absolute epoch ms, so a reloaded world is simply later. The tools that talk to it live next to
 * this file (hcloud.ts, rescue.ts, talosctl.ts, kubectl.ts, helm.ts); the HTTP front is ../server.ts.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /**
   * Servers whose next `talosctl upgrade` never finishes: the node goes down to reboot into the new
   * version and stays down until `repairNode(ip)` (`npm run sim -- --world <dir> --repair <ip>`). Kept
   * with the world (world.json) until repaired.
   */
  stuckUpgrade?: string[];
}

/** The faults a saved world keeps (the rest belong to one session). */
const PERSISTENT_FAULTS = ['stuckUpgrade'] as const;

export type Running = 'os' | 'rescue' | 'talos' | 'down';

/** What a server's install disk holds. */
export interface Disk {
  /** The installed OS: a stock image (`debian-12`) or Talos (`talos:<version>:<platform>-<arch>:<schematic>`). */
  image?: string;
  /** The machine config Talos keeps on disk (absent: maintenance mode). */
  talosConfig?: Doc;
  /** A control plane's etcd data: it is a member of the cluster `cluster`, started (serving) at `since`. */
  etcd?: { cluster: string; member: string; since: number };
}

/** What a world counts: the events that can destroy data or interrupt a server. */
export interface Counters {
  /** A disk image written with dd in the rescue system, or Talos installed by a maintenance-mode config. */
  disksWritten: number;
  /** A boot into the Hetzner rescue system. */
  rescueBoots: number;
  /** A Hetzner `reset` action (hard power cycle), or a `talosctl reset`. */
  resets: number;
  /** A `talosctl upgrade` started (the installer writes the inactive OS partition only: no disk written). */
  upgrades: number;
}

export const zeroCounters = (): Counters => ({ disksWritten: 0, rescueBoots: 0, resets: 0, upgrades: 0 });
/** Counters of a world saved before a counter existed read 0 for it. */
const countersOf = (c: Partial<Counters> | undefined): Counters => ({ ...zeroCounters(), ...c });

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
  disk: Disk;
  /** The Talos config the node runs with (absent: maintenance mode). */
  config?: Doc;
  configuredAt?: number;
  /** A `talosctl upgrade` that never finished (`Faults.stuckUpgrade`): down until `World.repairNode`. */
  hung?: boolean;
  /** Its etcd service was stopped by `etcd leave` / `remove-member` (until its next boot). */
  etcdStopped?: boolean;
  /** What happened to this server over the world's life. */
  counters: Counters;
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
  /** A saved world (`World.toJSON()`) to continue; servers of `servers` it lacks are added with a stock OS. */
  saved?: SavedWorld;
}

/** The saved form of a world (world.json). */
export interface SavedWorld {
  format: 1;
  started: number;
  savedAt: number;
  nextId: number;
  hcloudToken: string;
  adminPassword: string;
  s3: { accessKey: string; secretKey: string; buckets: Record<string, Record<string, string>> };
  github: { appId: string; installationId: string; repositories: string[]; privateKeyPem: string };
  machines: (Omit<Machine, 'readyAt'> & { readyAt: number | null })[];
  sshKeys: World['sshKeys'];
  actions: { id: number; command: string; server: number; doneAt: number; status: 'running' | 'success' | 'error' }[];
  credentials: string[];
  /** Faults that last until repaired (`Faults.stuckUpgrade`). */
  faults?: Pick<Faults, (typeof PERSISTENT_FAULTS)[number]>;
  cluster: {
    id?: string;
    /** The etcd member list (absent in worlds saved before it was kept: read from the disks). */
    members?: EtcdMember[];
    objects: [string, Doc][];
    createdAt: [string, number][];
    releases: [string, Doc][];
    registered: RegisteredNode[];
    initialAdminSecretMade: boolean;
    cni?: { readyAt: number; broken?: string };
  };
  lastRun: Counters;
}

/** A Node object: once a kubelet registered, it stays until deleted (or etcd is lost). */
export interface RegisteredNode {
  name: string;
  ip: string;
  role: string;
  registeredAt: number;
  /** What its kubelet last reported (a Node keeps it while its machine is off or reinstalled). */
  kubeletVersion: string;
  /** `kubectl cordon` (spec.unschedulable), until uncordoned or the Node object is deleted. */
  unschedulable?: boolean;
  /** `kubectl drain` evicted its pods (they run elsewhere) until it is uncordoned. */
  drained?: boolean;
}

/** An entry of etcd's member list: it stays listed until removed, whether or not its data still exists. */
export interface EtcdMember {
  /** The member ID as talosctl prints it (16 hex digits). */
  id: string;
  /** The hostname of the node that joined with it. */
  name: string;
  ip: string;
}

const stockServer = (ip: string, i: number, off: boolean): Machine => ({
  id: 4201 + i,
  name: `ztc-sim-${i + 1}`,
  ip,
  power: off ? 'off' : 'running',
  rescueEnabled: false,
  rescueKeys: [],
  authorizedKeys: [],
  target: off ? 'down' : 'os',
  readyAt: 0,
  disk: { image: 'debian-12' },
  counters: zeroCounters(),
});

export class World extends EventEmitter {
  readonly started: number;
  readonly timing: Timing;
  readonly faults: Faults;
  /** The project's API token (what HCLOUD_TOKEN must be). */
  readonly hcloudToken: string;
  /** What the run is given as ARGOCD_ADMIN_PASSWORD (unless the caller passes another). */
  readonly adminPassword: string;
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
  /** What the current (or last) ztc run did. */
  run: Counters = zeroCounters();
  /** What the last finished ztc run did (saved with the world). */
  lastRun: Counters = zeroCounters();
  private nextId = 1000;

  constructor(opts: WorldOptions) {
    super();
    const saved = opts.saved;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.faults = { ...structuredClone(saved?.faults ?? {}), ...(opts.faults ?? {}) };
    this.repositories = opts.repositories ?? {};
    if (saved) {
      if (saved.format !== 1) throw new Error(`world.json has format ${String(saved.format)}; this simulation reads format 1`);
      this.started = saved.started;
      this.nextId = saved.nextId;
      this.hcloudToken = saved.hcloudToken;
      this.adminPassword = saved.adminPassword;
      const buckets = new Map(Object.entries(saved.s3.buckets).map(([b, objects]) => [b, new Map(Object.entries(objects).map(([k, v]) => [k, Buffer.from(v, 'base64')]))]));
      this.s3 = { accessKey: saved.s3.accessKey, secretKey: saved.s3.secretKey, buckets };
      const gh = saved.github;
      const repositories = [...new Set([...gh.repositories, ...(opts.github?.repositories ?? [])])];
      this.github = {
        appId: gh.appId,
        installationId: gh.installationId,
        repositories,
        privateKeyPem: gh.privateKeyPem,
        publicKey: createPublicKey(gh.privateKeyPem),
        tokens: new Set(),
      };
      this.machines = saved.machines.map((m) => ({ ...m, readyAt: m.readyAt ?? Number.POSITIVE_INFINITY, counters: countersOf(m.counters) }));
      this.sshKeys.push(...saved.sshKeys);
      for (const a of saved.actions) this.actions.set(a.id, a);
      for (const c of saved.credentials) this.credentials.add(c);
      this.cluster.restore(saved.cluster);
      this.lastRun = countersOf(saved.lastRun);
      // Buckets and servers the platform names now and the project lacks: made, as an operator would.
      for (const b of opts.buckets ?? []) if (!this.s3.buckets.has(b)) this.s3.buckets.set(b, new Map());
      for (const ip of opts.servers) if (!this.machineByIp(ip) && !this.faults.missingServers?.includes(ip)) this.addServer(ip);
    } else {
      this.started = Date.now();
      this.hcloudToken = opts.hcloudToken ?? randomToken(64);
      this.adminPassword = `Sim-${randomToken(20)}`;
      this.s3 = { accessKey: randomToken(20).toUpperCase(), secretKey: randomToken(40), buckets: new Map((opts.buckets ?? []).map((b) => [b, new Map()])) };
      this.github = makeGithubApp(opts.github?.appId ?? '1', opts.github?.installationId ?? '1', opts.github?.repositories ?? []);
      this.machines = opts.servers.filter((ip) => !this.faults.missingServers?.includes(ip)).map((ip, i) => stockServer(ip, i, !!this.faults.offServers?.includes(ip)));
    }
    for (const s of [this.hcloudToken, this.s3.accessKey, this.s3.secretKey, this.github.privateKeyPem, this.adminPassword]) this.callerSecrets.add(s);
  }

  /** A new server in the project, running a stock OS (debian-12). */
  addServer(ip: string): Machine {
    const m = stockServer(ip, 0, false);
    m.id = Math.max(4200, ...this.machines.map((x) => x.id)) + 1;
    m.name = `ztc-sim-${m.id - 4200}`;
    this.machines.push(m);
    return m;
  }

  /** Everything needed to continue this world later (see `WorldOptions.saved`). */
  toJSON(): SavedWorld {
    this.cluster.settle();
    const buckets: Record<string, Record<string, string>> = {};
    for (const [b, objects] of this.s3.buckets) {
      buckets[b] = {};
      for (const [k, v] of objects) buckets[b][k] = v.toString('base64');
    }
    const gh = this.github;
    const faults = Object.fromEntries(PERSISTENT_FAULTS.filter((f) => this.faults[f]?.length).map((f) => [f, [...this.faults[f]!]]));
    return {
      format: 1,
      started: this.started,
      savedAt: this.now(),
      nextId: this.nextId,
      hcloudToken: this.hcloudToken,
      adminPassword: this.adminPassword,
      s3: { accessKey: this.s3.accessKey, secretKey: this.s3.secretKey, buckets },
      github: { appId: gh.appId, installationId: gh.installationId, repositories: gh.repositories, privateKeyPem: gh.privateKeyPem },
      machines: this.machines.map((m) => structuredClone({ ...m, readyAt: Number.isFinite(m.readyAt) ? m.readyAt : null })),
      sshKeys: structuredClone(this.sshKeys),
      actions: [...this.actions.values()].map((a) => ({ ...a })),
      credentials: [...this.credentials],
      ...(Object.keys(faults).length ? { faults } : {}),
      cluster: this.cluster.save(),
      lastRun: { ...this.lastRun },
    };
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
    this.cluster.settle(); // what happened before the reboot (a join, a registration) stays
    m.power = 'running';
    m.readyAt = this.faults.neverBoots?.includes(m.ip) || m.hung ? Number.POSITIVE_INFINITY : this.now() + delay;
    m.etcdStopped = undefined;
    if (m.rescueEnabled) {
      this.count(m, 'rescueBoots');
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

  count(m: Machine, what: keyof Counters): void {
    m.counters[what]++;
    this.run[what]++;
  }

  /**
   * Write the machine's install disk (dd from rescue, or the Talos installer): what it held is gone,
   * with its etcd data; the cluster loses that member, and with the last one etcd and the API's objects.
   * `counted: false` for changes the test makes between runs (a recycled server), not the run.
   */
  writeDisk(m: Machine, disk: Disk, { counted = true } = {}): void {
    this.cluster.settle();
    const lost = m.disk.etcd;
    m.disk = disk;
    if (counted) this.count(m, 'disksWritten');
    if (lost) this.cluster.dataLost();
  }

  /**
   * `talosctl upgrade`: the installer writes the new Talos to the inactive OS partition (the machine
   * config, etcd data and everything else stay; not a disk written), then the node reboots into it:
   * down for `bootMs` (its etcd member too, its Node NotReady), then back at the new version. A server
   * in `faults.stuckUpgrade` never comes back (until `repairNode`).
   */
  upgradeNode(m: Machine, image: string): void {
    this.cluster.settle();
    m.disk.image = image;
    this.count(m, 'upgrades');
    if (this.faults.stuckUpgrade?.includes(m.ip)) m.hung = true;
    this.reboot(m);
  }

  /**
   * `talosctl reset`: wipes the listed system partitions (STATE: the machine config; EPHEMERAL: etcd and
   * kubelet data; none listed: the whole system disk, OS included), counted as a reset (not a disk
   * written), then powers the server off (or reboots it, into maintenance mode once STATE is gone).
   */
  talosReset(m: Machine, wipe: { state: boolean; ephemeral: boolean; all: boolean }, reboot: boolean): void {
    this.cluster.settle();
    const lost = (wipe.ephemeral || wipe.all) && !!m.disk.etcd;
    if (wipe.ephemeral || wipe.all) m.disk.etcd = undefined;
    if (wipe.state || wipe.all) m.disk.talosConfig = undefined;
    if (wipe.all) m.disk.image = undefined;
    m.config = undefined;
    m.configuredAt = undefined;
    this.count(m, 'resets');
    if (lost) this.cluster.dataLost();
    if (reboot) this.reboot(m);
    else this.powerOff(m.ip);
  }

  /**
   * The operator fixed the server at its console (`npm run sim -- --world <dir> --repair <ip>`): its
   * faults are cleared and, if it was stuck or off, it boots what its disk holds now (after a stuck
   * upgrade: the new version). False when there was nothing to repair.
   */
  repairNode(ip: string): boolean {
    const m = this.mustMachine(ip);
    const was = !!m.hung || m.power === 'off' || !Number.isFinite(m.readyAt);
    for (const f of ['stuckUpgrade', 'neverBoots'] as const) if (this.faults[f]) this.faults[f] = this.faults[f].filter((x) => x !== ip);
    m.hung = undefined;
    if (was) this.reboot(m);
    return was;
  }

  /**
   * Every control plane loses its etcd data (as after an EPHEMERAL wipe of each): etcd, the API and every
   * object in it are gone; machine configs stay, so `talosctl bootstrap --recover-from` can bring the
   * cluster back from a snapshot. Returns the IPs that held data.
   */
  loseEtcd(): string[] {
    this.cluster.settle();
    const holders = this.machines.filter((m) => m.disk.etcd);
    for (const m of holders) m.disk.etcd = undefined;
    this.cluster.dataLost();
    return holders.map((m) => m.ip);
  }

  /** The Hetzner project's SSH keys by name. */
  get hcloudKeys(): Map<string, World['sshKeys'][number]> {
    return new Map(this.sshKeys.map((k) => [k.name, k]));
  }

  /** A Hetzner `reset`: a hard power cycle (counted). */
  reset(m: Machine): void {
    this.count(m, 'resets');
    this.reboot(m);
  }

  /** Test hook: the server is recycled: power-cycled with a stock OS on a fresh disk (its data is gone). */
  recycleServer(ip: string, image = 'debian-12'): Machine {
    const m = this.mustMachine(ip);
    m.rescueEnabled = false;
    this.writeDisk(m, { image }, { counted: false });
    m.config = undefined;
    m.configuredAt = undefined;
    this.reboot(m);
    return m;
  }

  /** Test hook (and what a Hetzner `poweroff` does): the server is off; its disk keeps what it holds. */
  powerOff(ip: string): Machine {
    const m = this.mustMachine(ip);
    this.cluster.settle();
    m.power = 'off';
    m.target = 'down';
    m.config = undefined;
    m.authorizedKeys = [];
    return m;
  }

  /** Test hook: the server is powered on and boots (into rescue if enabled, else from its disk). */
  powerOn(ip: string): Machine {
    const m = this.mustMachine(ip);
    this.reboot(m);
    return m;
  }

  mustMachine(ip: string): Machine {
    const m = this.machineByIp(ip);
    if (!m) throw new Error(`the world has no server ${ip} (servers: ${this.machines.map((x) => x.ip).join(', ')})`);
    return m;
  }

  /** Does `password` match the bcrypt hash in argocd-secret's admin.password (checked by real htpasswd)? */
  argocdPasswordWorks(password: string, namespace = 'argocd'): boolean {
    const secret = this.cluster.apiUp() ? this.cluster.objects.get(`Secret/${namespace}/argocd-secret`) : undefined;
    const hash = secret?.data?.['admin.password'] ? Buffer.from(String(secret.data['admin.password']), 'base64').toString() : '';
    if (!hash) return false;
    const dir = mkdtempSync(join(tmpdir(), 'ztc-sim-htpasswd-'));
    try {
      writeFileSync(join(dir, 'htpasswd'), `admin:${hash.replace(/^\$2a\$/, '$2y$')}\n`, { mode: 0o600 });
      return spawnSync('htpasswd', ['-vi', join(dir, 'htpasswd'), 'admin'], { input: `${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
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

/** The API server's stored objects by key (`Kind/namespace/name`), with a lookup by apiVersion and kind. */
export class ObjectStore extends Map<string, Doc> {
  /** The stored objects of `apiVersion` `kind` (`list('v1', 'Namespace')`). */
  list(apiVersion: string, kind: string): Doc[] {
    return [...this.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind);
  }
}

/** What etcd holds besides its member list: what a snapshot carries and a recovery restores. */
export interface EtcdContent {
  objects: [string, Doc][];
  createdAt: [string, number][];
  releases: [string, Doc][];
  registered: RegisteredNode[];
  initialAdminSecretMade: boolean;
  cni?: { readyAt: number; broken?: string };
}

/**
 * The Kubernetes cluster the Talos nodes form (one per world). etcd is a member list (`EtcdMember`) and
 * the members' data on control planes' disks (`Disk.etcd`): `talosctl bootstrap` makes the first member,
 * other control planes configured for the cluster join once etcd runs (replacing a listed member of the
 * same hostname, as Talos does), `etcd leave`/`remove-member` remove one (under etcd's quorum rules).
 * A member whose data was lost (its disk written, EPHEMERAL wiped) stays listed, and counts against
 * quorum, until it is removed, as in real etcd. While a majority of the listed members serves, the API
 * answers; when no disk holds the cluster's data any more, etcd and every object in it (Secrets,
 * Deployments, Applications, Helm releases, Node objects) are gone.
 */
export class Cluster {
  /** cluster.id of the configs that formed it (from the secrets bundle); unset while there is no etcd. */
  id?: string;
  /** etcd's member list. */
  memberList: EtcdMember[] = [];
  objects = new ObjectStore();
  /** When each stored object was created (for the time its workload or controller takes). */
  createdAt = new Map<string, number>();
  releases = new Map<string, Doc>();
  /** Node objects (kept in etcd like the rest). */
  registered = new Map<string, RegisteredNode>();
  /** Node objects deleted while their kubelet may still run: it registers again `registerMs` later. */
  deletedAt = new Map<string, number>();
  initialAdminSecretMade = false;
  /** When the CNI's agents and operator turn ready; `broken` keeps them crash-looping. */
  cni?: { readyAt: number; broken?: string };

  constructor(private readonly world: World) {}

  /** What etcd holds (objects, releases, Node objects…), as a snapshot carries it. */
  content(): EtcdContent {
    return {
      objects: structuredClone([...this.objects]),
      createdAt: [...this.createdAt],
      releases: structuredClone([...this.releases]),
      registered: [...this.registered.values()].map((n) => ({ ...n })),
      initialAdminSecretMade: this.initialAdminSecretMade,
      cni: this.cni && { ...this.cni },
    };
  }

  private load(c: EtcdContent): void {
    this.objects = new ObjectStore(structuredClone(c.objects));
    this.createdAt = new Map(c.createdAt);
    this.releases = new Map(structuredClone(c.releases));
    this.registered = new Map(c.registered.map((n) => [n.name, { ...n }]));
    this.initialAdminSecretMade = c.initialAdminSecretMade;
    this.cni = c.cni && { ...c.cni };
  }

  save(): SavedWorld['cluster'] {
    return { id: this.id, members: this.memberList.map((e) => ({ ...e })), ...this.content() };
  }

  restore(saved: SavedWorld['cluster']): void {
    this.id = saved.id;
    this.load(saved);
    // A world saved before the member list was kept: the members are the disks holding data.
    this.memberList =
      saved.members ?? this.world.machines.filter((m) => saved.id && m.disk.etcd?.cluster === saved.id).map((m) => ({ id: m.disk.etcd!.member, name: nodeName(m), ip: m.ip }));
  }

  /** The machine holding the data of listed member `e`, if its disk still does. */
  holder(e: EtcdMember): Machine | undefined {
    return this.id ? this.world.machines.find((m) => m.disk.etcd?.cluster === this.id && m.disk.etcd?.member === e.id) : undefined;
  }

  /** The listed member whose data lies on `m`'s disk. */
  memberOf(m: Machine): EtcdMember | undefined {
    return this.memberList.find((e) => this.holder(e) === m);
  }

  /** The machines whose disk holds data of a listed member. */
  members(): Machine[] {
    return this.memberList.map((e) => this.holder(e)).filter((m): m is Machine => !!m);
  }

  /** Since when the member on `m` serves (undefined: not now; its node is off, booting or unconfigured, its service stopped). */
  memberUpSince(m: Machine): number | undefined {
    if (!m.disk.etcd || m.etcdStopped || this.world.running(m) !== 'talos' || m.config?.cluster?.id !== this.id || m.config?.machine?.type !== 'controlplane') return undefined;
    return Math.max(m.disk.etcd.since, m.readyAt + this.world.timing.etcdMs);
  }

  /** Does the member on `m` serve now (with or without a quorum)? */
  serving(m: Machine | undefined): boolean {
    const since = m && this.memberUpSince(m);
    return since !== undefined && this.world.now() >= since;
  }

  /** Since when a majority of the listed members serves (possibly in the future: etcd is starting), else undefined. */
  quorumSince(): number | undefined {
    const list = this.memberList;
    const up = list
      .map((e) => this.holder(e))
      .map((m) => (m ? this.memberUpSince(m) : undefined))
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const need = Math.floor(list.length / 2) + 1;
    return list.length > 0 && up.length >= need ? up[need - 1] : undefined;
  }

  /** Does etcd answer now (a majority of members serving)? Joins control planes that are due first. */
  etcdRunning(): boolean {
    this.settle();
    const q = this.quorumSince();
    return q !== undefined && this.world.now() >= q;
  }

  /** Does the member on `m` serve now, with a quorum? */
  memberRunning(m: Machine): boolean {
    return this.serving(m) && this.etcdRunning();
  }

  /** The first etcd member, on `m` (`talosctl bootstrap`); `content` restores a snapshot into it (`--recover-from`). */
  bootstrap(m: Machine, content?: EtcdContent): void {
    this.id = String(m.config!.cluster.id);
    const since = this.world.now() + this.world.timing.etcdMs;
    m.disk.etcd = { cluster: this.id, member: memberId(), since };
    this.memberList = [{ id: m.disk.etcd.member, name: nodeName(m), ip: m.ip }];
    if (content) {
      this.load(content);
      this.deletedAt.clear();
    }
    if (m.disk.talosConfig === undefined) m.disk.talosConfig = m.config;
  }

  /**
   * Why etcd refuses to remove listed member `id` now (strict reconfiguration check), or undefined:
   * the members left must have a started majority, and removing a member that serves must leave the
   * serving ones a majority of the cluster.
   */
  removalRefused(id: string): string | undefined {
    if (!this.etcdRunning()) return 'etcdserver: no leader';
    const target = this.memberList.find((e) => e.id === id);
    if (!target) return 'etcdserver: member not found';
    const rest = this.memberList.filter((e) => e !== target);
    const started = rest.filter((e) => this.serving(this.holder(e))).length;
    if (started < Math.floor(rest.length / 2) + 1) return 'etcdserver: re-configuration failed due to not enough started members';
    if (this.serving(this.holder(target))) {
      const active = this.memberList.filter((e) => this.serving(this.holder(e))).length;
      if (active - 1 < 1 + Math.floor((this.memberList.length - 1) / 2)) return 'etcdserver: unhealthy cluster';
    }
    return undefined;
  }

  /**
   * Remove listed member `id` (check `removalRefused` first). Its node, if it still holds the data,
   * drops it and stops its etcd service until its next boot (then it joins again as a new member, as a
   * Talos control plane with an empty data dir does).
   */
  removeMember(id: string): void {
    const target = this.memberList.find((e) => e.id === id);
    if (!target) return;
    const m = this.holder(target);
    this.memberList = this.memberList.filter((e) => e !== target);
    if (m) {
      m.disk.etcd = undefined;
      m.etcdStopped = true;
    }
    this.dataLost();
  }

  /** Some member's data was destroyed: when no disk holds the cluster's data any more, etcd and every object are gone. */
  dataLost(): void {
    if (!this.id || this.members().length > 0) return;
    this.id = undefined;
    this.memberList = [];
    this.load({ objects: [], createdAt: [], releases: [], registered: [], initialAdminSecretMade: false });
    this.deletedAt.clear();
  }

  /** `kubectl delete node`: the object is gone; a kubelet that still runs registers it again later. */
  deleteNode(name: string): boolean {
    if (!this.registered.delete(name)) return false;
    this.deletedAt.set(name, this.world.now());
    return true;
  }

  /**
   * What followed from time passing: control planes configured for the cluster join etcd once it runs
   * (a member is added to the list and its data to their disk, replacing a listed member of the same
   * hostname), and kubelets register their Node once the API answers.
   */
  settle(): void {
    const id = this.id;
    if (!id) return;
    const now = this.world.now();
    const q = this.quorumSince();
    if (q === undefined || now < q) return;
    for (const m of this.world.machines) {
      if (m.disk.etcd || m.etcdStopped || this.world.running(m) !== 'talos' || m.config?.cluster?.id !== id || m.config?.machine?.type !== 'controlplane') continue;
      const joinAt = Math.max(q, m.readyAt, m.configuredAt ?? 0) + this.world.timing.etcdMs;
      if (now < joinAt) continue;
      m.disk.etcd = { cluster: id, member: memberId(), since: joinAt };
      const name = nodeName(m);
      this.memberList = [...this.memberList.filter((e) => e.name !== name), { id: m.disk.etcd.member, name, ip: m.ip }];
    }
    const api = q + this.world.timing.apiMs;
    if (now < api) return;
    for (const m of this.world.machines) {
      if (this.world.running(m) !== 'talos' || m.config?.cluster?.id !== id) continue;
      const name = nodeName(m);
      const at = Math.max(api, m.configuredAt ?? 0, m.readyAt, this.deletedAt.get(name) ?? -Infinity) + this.world.timing.registerMs;
      if (now < at) continue;
      const known = this.registered.get(name);
      const reported = { ip: m.ip, role: String(m.config.machine.type), kubeletVersion: kubeletVersion(m.config) };
      if (known) Object.assign(known, reported);
      else {
        this.registered.set(name, { name, registeredAt: at, ...reported });
        this.deletedAt.delete(name);
      }
    }
  }

  get apiReadyAt(): number | undefined {
    this.settle();
    const q = this.quorumSince();
    return q === undefined ? undefined : q + this.world.timing.apiMs;
  }

  apiUp(): boolean {
    const at = this.apiReadyAt;
    return at !== undefined && this.world.now() >= at;
  }

  /** The version the API server runs (its image on the control planes' configs; the lowest when they differ). */
  apiServerVersion(): string {
    const versions = this.world.machines
      .filter((m) => m.config?.cluster?.id === this.id && m.config?.machine?.type === 'controlplane')
      .map((m) => /:v?(\d+\.\d+\.\d+)$/.exec(String(m.config!.cluster.apiServer?.image ?? ''))?.[1])
      .filter((v): v is string => !!v)
      .sort(compareVersions);
    return versions[0] ? `v${versions[0]}` : 'v1.34.1';
  }

  /**
   * Node objects: every kubelet that registered (a node that is off or reinstalled stays, NotReady). Ready
   * while its machine runs this cluster's config and the CNI runs.
   */
  nodes(): { name: string; ip: string; role: string; ready: boolean; registeredAt: number; kubeletVersion: string; unschedulable?: boolean; drained?: boolean }[] {
    if (!this.apiUp()) return [];
    return [...this.registered.values()]
      .map((n) => {
        const m = this.world.machineByIp(n.ip);
        const live = !!m && this.world.running(m) === 'talos' && m.config?.cluster?.id === this.id && nodeName(m) === n.name;
        return { ...n, ready: live && this.cniReady() };
      })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  cniReady(): boolean {
    return !!this.cni && !this.cni.broken && this.world.now() >= this.cni.readyAt;
  }
}

/** Compare `1.34.1`-style versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The hostname a Talos node registers with. */
export function nodeName(m: Machine): string {
  return String(m.config?.machine?.network?.hostname ?? m.disk.talosConfig?.machine?.network?.hostname ?? `talos-${m.ip.replace(/\./g, '-')}`);
}

/** `v1.34.1` from the kubelet image of a machine config (`ghcr.io/siderolabs/kubelet:v1.34.1`). */
export function kubeletVersion(config: Doc | undefined): string {
  const image = String(config?.machine?.kubelet?.image ?? '');
  return /:(v\d+\.\d+\.\d+)$/.exec(image)?.[1] ?? 'unknown';
}

/** The Talos version an installed image runs (`talos:v1.11.6:…` → v1.11.6), if it is Talos. */
export function talosVersion(image: string | undefined): string | undefined {
  return /^talos:(v\d+\.\d+\.\d+)/.exec(image ?? '')?.[1];
}

const memberId = (): string => randomBytes(8).toString('hex');

export function randomToken(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}
