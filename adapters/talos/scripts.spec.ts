/**
 * The talos scripts' own decisions, with stand-in talosctl/kubectl answering as the real tools do:
 * what is asked live before a disk is written or etcd is bootstrapped, and how odd answers are read.
 * The whole flow against faithful tools is the simulation's (tools/sim).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const script = (rel: string) => join(__dirname, 'scripts', rel);
const nodes = [
  { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
  { name: 'worker-1', ip: '203.0.113.11', role: 'worker' },
];
const node = (name: string, conditions?: unknown[], kubelet = 'v1.34.1') => ({
  metadata: { name },
  status: { nodeInfo: { kubeletVersion: kubelet }, ...(conditions ? { conditions } : {}) },
});
const ready = [{ type: 'Ready', status: 'True' }];

/** validate-cluster with the platform's talosconfig and a talosctl answering `talosctl` (bash case arms) first. */
const validate = (talosctl: string, kubectl: string) =>
  runAdapterScript({
    script: script('validation/validate-cluster.sh'),
    context: { nodes, talos_version: 'v1.11.5', kubernetes_version: '1.34.1' },
    privateFiles: { 'talos/talosconfig': 'context: demo\n' },
    tools: {
      talosctl: `case "$*" in
${talosctl}
  *version*) printf 'Server:\\n\\tTag:         v1.11.5\\n' ;;
  *) echo "waiting for all k8s nodes to report ready: OK" ;;
esac`,
      kubectl,
    },
  });

describe('talos/validate-cluster', () => {
  it('a node without conditions is reported not Ready, not a jq crash', async () => {
    // Every node answers as a node of this cluster; health passes.
    const r = await validate('', `printf '%s\\n' '${JSON.stringify({ items: [node('cp-1', [{ type: 'Ready', status: 'True' }]), node('worker-1')] })}'`);
    expect(r.stderr).not.toContain('Cannot iterate over null');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: nodes not Ready: worker-1');
  });

  it('a configured node that no longer runs this cluster (reinstalled, replaced) is named, with the safe way to redo it', async () => {
    // worker-1 was reinstalled with another OS: no Talos API answers there.
    const r = await validate('  *203.0.113.11*version*) echo "error: connection refused" >&2; exit 1 ;;', 'exit 1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: configured nodes do not run this cluster's Talos: worker-1 (203.0.113.11): none");
    expect(r.stderr).toContain('run "ztc bootstrap demo --fresh": every step asks the machines what they run');
    expect(r.calls.some((c) => c.includes(' health '))).toBe(false);
  });

  it('a Node that talos.nodes does not name fails validation, naming it and the step that removes it', async () => {
    const r = await validate('', `printf '%s\\n' '${JSON.stringify({ items: [node('cp-1', ready), node('worker-1', ready), node('worker-2', ready)] })}'`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: Kubernetes has Nodes that talos.nodes in platforms/demo/platform.yaml does not name: worker-2.');
    expect(r.stderr).toContain('its talos/remove-nodes step drains, resets and deletes them');
  });

  it('a kubelet at another version than kubernetes_version fails validation, naming the node and what it runs', async () => {
    const r = await validate('', `printf '%s\\n' '${JSON.stringify({ items: [node('cp-1', ready), node('worker-1', ready, 'v1.34.0')] })}'`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: kubelets do not run Kubernetes 1.34.1 (talos.kubernetes_version): worker-1 runs v1.34.0.');
  });

  it('a node at another Talos version than talos.version fails validation, naming it', async () => {
    const r = await validate(
      `  *203.0.113.11*version*) printf 'Server:\\n\\tTag:         v1.11.4\\n' ;;`,
      `printf '%s\\n' '${JSON.stringify({ items: [node('cp-1', ready), node('worker-1', ready)] })}'`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: nodes do not run Talos v1.11.5 (talos.version): worker-1 (203.0.113.11) runs v1.11.4.');
  });

  it('the configured nodes, each at its versions and Ready: passes', async () => {
    const r = await validate('', `printf '%s\\n' '${JSON.stringify({ items: [node('cp-1', ready), node('worker-1', ready)] })}'`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all 2 nodes Ready: cp-1, worker-1');
  });
});

describe('talos/bootstrap-etcd', () => {
  const cps = [
    { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
    { name: 'cp-2', ip: '203.0.113.11', role: 'controlplane' },
  ];
  /** bootstrap-etcd with the platform's talosconfig; `arms` (bash case arms) answer before the defaults. */
  const bootstrapEtcd = (arms: string) =>
    runAdapterScript({
      script: script('bootstrap/bootstrap-etcd.sh'),
      context: { nodes: cps },
      privateFiles: { 'talos/talosconfig': 'context: demo\n' },
      tools: {
        talosctl: `case "$*" in
${arms}
  *bootstrap*) echo "bootstrapped" ;;
  *version*) printf 'Server:\\n\\tTag:         v1.11.5\\n' ;;
esac`,
      },
    });
  const bootstraps = (calls: string[]) => calls.filter((c) => / bootstrap$/.test(c));

  it('etcd with members on another control plane (the first one was reinstalled): never bootstrapped again', async () => {
    const r = await bootstrapEtcd(`  *"service etcd"*) [[ $* == *203.0.113.11* ]] && echo "STATE    Running" || echo "STATE    Preparing" ;;
  *"etcd members"*) [[ $* == *203.0.113.11* ]] || { echo "error: etcd not running" >&2; exit 1; }
                    printf 'NODE ID HOSTNAME PEER URLS CLIENT URLS LEARNER\\n203.0.113.11 1a2b cp-2 https://203.0.113.11:2380 https://203.0.113.11:2379 false\\n' ;;`);
    expect(r.stdout).toContain('etcd already exists on cp-2 (203.0.113.11): not bootstrapped again');
    expect(bootstraps(r.calls)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('a control plane that does not answer with its config: etcd there cannot be ruled out, so nothing is bootstrapped', async () => {
    // cp-1 answers without etcd; cp-2 (which may hold the cluster's etcd) is down.
    const r = await bootstrapEtcd(`  *203.0.113.11*) echo "error: connection refused" >&2; exit 1 ;;
  *"service etcd"*) echo "STATE    Preparing" ;;
  *"etcd members"*) echo "error: etcd not running" >&2; exit 1 ;;`);
    expect(bootstraps(r.calls)).toEqual([]);
    expect(r.stderr).toContain('ERROR: cp-2 (203.0.113.11) does not answer with its config');
    expect(r.code).toBe(1);
  });
});

describe('talos/check-health (pre-flight)', () => {
  it('a node of another cluster: the run stops, naming the node, what was found and what to do', async () => {
    const r = await runAdapterScript({
      script: script('check-health.sh'),
      context: { nodes },
      privateFiles: { 'talos/talosconfig': 'context: demo\n', 'talos/secrets.yaml': 'cluster: {}\n' },
      tools: {
        // worker-1 runs Talos configured by another cluster's CA: our talosconfig is rejected.
        talosctl: `case "$*" in
  *203.0.113.11*--insecure*) echo "error: remote error: tls: certificate required" >&2; exit 1 ;;
  *203.0.113.11*) echo "error: x509: certificate signed by unknown authority" >&2; exit 1 ;;
  *version*) printf 'Server:\\n\\tTag:         v1.11.5\\n' ;;
esac`,
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: worker-1 (203.0.113.11) runs Talos configured for another cluster (its API rejects this platform's talosconfig): it was left alone.");
    expect(r.stderr).toContain('otherwise fix talos.nodes in platforms/demo/platform.yaml');
  });
});

describe('talos/gen-config', () => {
  it("reads a node's patch with the name passed to jq as data (--arg), not spliced into the program", async () => {
    const name = 'cp"1';
    const r = await runAdapterScript({
      script: script('bootstrap/gen-config.sh'),
      context: {
        nodes: [{ name, ip: '203.0.113.10', role: 'controlplane' }],
        patches: [],
        node_patches: { [name]: 'talos/nodes/cp-1.yaml' },
        cluster_name: 'prod',
        cluster_endpoint: 'https://203.0.113.10:6443',
        kubernetes_version: '1.34.1',
        install_disk: '/dev/sda',
        install_image: 'factory.talos.dev/hcloud-installer/x:v1.11.5',
        validate_mode: 'cloud',
      },
      env: { ZTC_GENERATED_DIR: '/generated' },
      privateFiles: { 'talos/secrets.yaml': 'cluster: {}\n' },
      tools: { talosctl: 'exit 0' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls.find((c) => c.startsWith('talosctl machineconfig patch'))).toContain('--patch @/generated/talos/nodes/cp-1.yaml');
  });
});

/**
 * A small stand-in cluster for the day-2 steps, kept in files under $HOME/world across the tool calls of
 * one run: each node's Talos version (an upgrade installs the installer image's tag; a node listed in
 * STUCK never comes back), etcd's members (leave, remove-member), a reset (the node powers off), the
 * Nodes (delete node; a down node is NotReady) and the Kubernetes version (upgrade-k8s sets it).
 * Environment: TALOS_VERSIONS "ip=tag ..." (default v1.11.5), ETCD_MEMBERS "name=ip ...",
 * K8S_NODES [{name, ip, role, kubelet}], SERVER_VERSION, STUCK "ip ...", DOWN "ip ...".
 */
const world = {
  talosctl: (arms = '') => `ip='' prev=''
for a in "$@"; do [[ $prev == --nodes ]] && ip=$a; prev=$a; done
W=$HOME/world; mkdir -p "$W"
if [[ ! -e $W/members ]]; then
  for m in \${ETCD_MEMBERS:-}; do printf 'id%s %s %s\\n' "\${m##*.}" "\${m%%=*}" "\${m#*=}"; done >"$W/members"
fi
down() { [[ -e $W/$1.down || " \${DOWN:-} " == *" $1 "* ]]; }
ver() { cat "$W/$1.version" 2>/dev/null || { for v in \${TALOS_VERSIONS:-}; do [[ \${v%%=*} == "$1" ]] && { echo "\${v#*=}"; return; }; done; echo v1.11.5; }; }
case "$*" in
${arms}
esac
if [[ -n $ip ]] && down "$ip"; then echo "error: rpc error: code = Unavailable desc = connection error: dial tcp $ip:50000: connect: connection refused" >&2; exit 1; fi
case "$*" in
  *" upgrade --image "*)
    if awk -v ip="$ip" '$3 == ip { m = 1 } END { exit !(m && NR == 2) }' "$W/members"; then
      echo "error: $ip: rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member count(2) is insufficient to maintain quorum if upgrade commences" >&2; exit 1
    fi
    all="$*"; img=\${all#*--image }; img=\${img%% *}
    if [[ " \${STUCK:-} " == *" $ip "* ]]; then touch "$W/$ip.down"; else echo "\${img##*:}" >"$W/$ip.version"; fi
    echo "upgrade scheduled" ;;
  *upgrade-k8s*--dry-run*) echo "> dry run: would upgrade the control plane and kubelets" ;;
  *upgrade-k8s*) all="$*"; to=\${all#*--to }; echo "v\${to%% *}" >"$W/k8s" ;;
  *" version"*) printf 'Client:\\n\\tTag:         v1.11.6\\nServer:\\n\\tNODE:        %s\\n\\tTag:         %s\\n' "$ip" "$(ver "$ip")" ;;
  *"service etcd"*) printf 'NODE     %s\\nID       etcd\\nSTATE    Running\\nHEALTH   OK\\n' "$ip" ;;
  *"etcd members"*)
    echo "NODE ID HOSTNAME PEER URLS CLIENT URLS LEARNER"
    while read -r id name mip; do [[ -n $id ]] && echo "$ip $id $name https://$mip:2380 https://$mip:2379 false"; done <"$W/members" ;;
  *"etcd leave"*) awk -v ip="$ip" '$3 != ip' "$W/members" >"$W/m.tmp" && mv "$W/m.tmp" "$W/members" ;;
  *"etcd remove-member"*) awk -v id="\${*: -1}" '$1 != id' "$W/members" >"$W/m.tmp" && mv "$W/m.tmp" "$W/members" ;;
  *"etcd snapshot"*) printf 'etcd-data' >"\${*: -1}"; echo "etcd snapshot saved to \\"\${*: -1}\\" (9 bytes)" ;;
  *" reset "*)
    # Graceful: Talos waits for Kubernetes to cordon the node (it fails without an API server); a control
    # plane then leaves etcd, which etcd refuses when too few of the rest are started.
    if [[ "$*" == *--graceful=true* && -n \${API_DOWN:-} ]]; then echo "error: $ip: task cordonAndDrainNode: failed, waiting for node to be cordoned: context deadline exceeded" >&2; exit 1; fi
    if [[ "$*" == *--graceful=true* ]] && awk -v ip="$ip" '$3 == ip { f = 1 } END { exit !f }' "$W/members"; then
      rest=$(awk -v ip="$ip" '$3 != ip' "$W/members"); n=0; up=0
      while read -r _ _ mip; do [[ -n $mip ]] || continue; n=$((n + 1)); down "$mip" || up=$((up + 1)); done <<<"$rest"
      if ((up < n / 2 + 1)); then echo "error: $ip: task leaveEtcd: failed, failed to leave cluster: etcdserver: re-configuration failed due to not enough started members" >&2; exit 1; fi
      printf '%s\n' "$rest" | awk NF >"$W/members"
    fi
    touch "$W/$ip.down" ;;
esac`,
  kubectl: (arms = '') => `W=$HOME/world; mkdir -p "$W"
[[ -e $W/nodes.json ]] || printf '%s' "\${K8S_NODES:-[]}" >"$W/nodes.json"
k8s=$(cat "$W/k8s" 2>/dev/null || true)
downs=$(ls "$W" | sed -n 's/\\.down$//p' | jq -R . | jq -sc .)
items() {
  jq -c --arg k "$k8s" --argjson down "$downs" '[.[] | {metadata: {name, labels: (if .role == "controlplane" then {"node-role.kubernetes.io/control-plane": ""} else {} end)},
    status: {addresses: [{type: "InternalIP", address: .ip}], nodeInfo: {kubeletVersion: (if $k != "" then $k else .kubelet end)},
    conditions: [{type: "Ready", status: (if (.ip as $ip | $down | index($ip)) then "False" else "True" end)}]}}]' "$W/nodes.json"
}
case "$*" in
${arms}
  "get nodes -o json") jq -n --argjson i "$(items)" '{items: $i}' ;;
  "get node "*" -o json") items | jq -e --arg n "$3" '.[] | select(.metadata.name == $n)' || { echo "Error from server (NotFound): nodes \\"$3\\" not found" >&2; exit 1; } ;;
  "get node "*) jq -e --arg n "$3" 'any(.[]; .name == $n)' "$W/nodes.json" >/dev/null || { echo "Error from server (NotFound): nodes \\"$3\\" not found" >&2; exit 1; } ;;
  "version -o json") printf '{"serverVersion":{"gitVersion":"%s"}}\\n' "\${k8s:-$SERVER_VERSION}" ;;
  "get --raw=/readyz" | "get --raw /readyz"*) [[ -z \${API_DOWN:-} ]] || { echo "The connection to the server was refused" >&2; exit 1; }; echo ok ;;
  "delete node "*) jq --arg n "$3" 'map(select(.name != $n))' "$W/nodes.json" >"$W/n.tmp" && mv "$W/n.tmp" "$W/nodes.json" ;;
esac`,
};

const cp1 = { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' };
const cp2 = { name: 'cp-2', ip: '203.0.113.11', role: 'controlplane' };
const cp3 = { name: 'cp-3', ip: '203.0.113.12', role: 'controlplane' };
const w1 = { name: 'worker-1', ip: '203.0.113.13', role: 'worker' };
const w2 = { name: 'worker-2', ip: '203.0.113.14', role: 'worker' };
const k8sNode = (n: { name: string; ip: string; role: string }, kubelet = 'v1.34.1') => ({ ...n, kubelet });
const membersOf = (...ns: { name: string; ip: string }[]) => ns.map((n) => `${n.name}=${n.ip}`).join(' ');
const IMAGE = `factory.talos.dev/hcloud-installer/${'a'.repeat(64)}`;
const privateFiles = { 'talos/talosconfig': 'context: demo\n', kubeconfig: 'apiVersion: v1\n' };

/** The index of the first call matching re (-1 when none). */
const at = (calls: string[], re: RegExp) => calls.findIndex((c) => re.test(c));
const upgrades = (calls: string[]) => calls.filter((c) => / upgrade --image /.test(c)).map((c) => c.match(/--nodes (\S+)/)![1]);

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

/** A state dir the spec keeps (machine facts), with facts already there: ip → version. */
function stateDir(facts: Record<string, string> = {}): string {
  const dir = tempDir('talos-spec-state-');
  mkdirSync(join(dir, 'machines'));
  for (const [ip, version] of Object.entries(facts)) writeFileSync(join(dir, 'machines', `${ip}.json`), JSON.stringify({ os: 'talos', version }));
  return dir;
}
const fact = (dir: string, ip: string) =>
  existsSync(join(dir, 'machines', `${ip}.json`)) ? JSON.parse(readFileSync(join(dir, 'machines', `${ip}.json`), 'utf8')).version : undefined;

describe('talos/upgrade-os', () => {
  // The context lists a worker first: control planes are still upgraded first.
  const nodes3 = [w1, cp1, cp2, cp3];
  const upgradeOs = (env: Record<string, string>, state: string, deadlineSeconds = 20, nodeTimeout = 900, nodes = nodes3, arms = '') =>
    runAdapterScript({
      script: script('bootstrap/upgrade-os.sh'),
      context: { nodes, talos_version: 'v1.11.6', install_image: `${IMAGE}:v1.11.6`, node_timeout_seconds: nodeTimeout },
      privateFiles,
      deadlineSeconds,
      env: {
        ZTC_STATE_DIR: state,
        ETCD_MEMBERS: membersOf(...nodes.filter((n) => n.role === 'controlplane')),
        K8S_NODES: JSON.stringify(nodes.map((n) => k8sNode(n))),
        ...env,
      },
      tools: { talosctl: world.talosctl(arms), kubectl: world.kubectl() },
    });

  it('control planes first, one node at a time, an etcd snapshot before the first control plane, versions recorded as read back', async () => {
    const state = stateDir({ [w1.ip]: 'v1.11.5' });
    const r = await upgradeOs({}, state);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(upgrades(r.calls)).toEqual([cp1.ip, cp2.ip, cp3.ip, w1.ip]);
    expect(r.calls.find((c) => / upgrade --image /.test(c))).toBe(`talosctl --nodes ${cp1.ip} upgrade --image ${IMAGE}:v1.11.6 --wait=false`);
    const snapshot = at(r.calls, /etcd snapshot /);
    expect(snapshot).toBeGreaterThanOrEqual(0);
    expect(snapshot).toBeLessThan(at(r.calls, / upgrade --image /));
    // One at a time: cp-2 is upgraded only after cp-1 answered with the new version and its etcd was healthy.
    const cp2Upgrade = at(r.calls, new RegExp(`--nodes ${cp2.ip} upgrade `));
    const cp1Back = r.calls.findIndex((c, i) => i > at(r.calls, new RegExp(`--nodes ${cp1.ip} upgrade `)) && c === `talosctl --nodes ${cp1.ip} etcd members`);
    expect(cp1Back).toBeGreaterThan(0);
    expect(cp1Back).toBeLessThan(cp2Upgrade);
    expect(r.stdout).toMatch(/etcd snapshot from cp-1 \(203\.0\.113\.10\): \S+\/talos\/backups\/etcd-\d{8}T\d{6}Z\.snapshot \(9 bytes\)/);
    for (const n of nodes3) expect(fact(state, n.ip)).toBe('v1.11.6');
  });

  it('nodes at talos.version already are skipped (a resumed run continues after them); only workers left: no snapshot', async () => {
    const state = stateDir();
    const r = await upgradeOs({ TALOS_VERSIONS: `${cp1.ip}=v1.11.6 ${cp2.ip}=v1.11.6 ${cp3.ip}=v1.11.6` }, state);
    expect(r.code).toBe(0);
    expect(upgrades(r.calls)).toEqual([w1.ip]);
    expect(r.stdout).toContain('cp-1 (203.0.113.10): runs Talos v1.11.6 already');
    expect(at(r.calls, /etcd snapshot /)).toBe(-1);
  });

  it('a control plane is not upgraded while another etcd member is down (its reboot could lose the quorum): nothing is touched', async () => {
    // cp-2 answers the Talos API, but its etcd is down.
    const r = await upgradeOs({}, stateDir(), 20, 900, nodes3, `  *"--nodes ${cp2.ip} service etcd"*) printf 'STATE    Preparing\\nHEALTH   ?\\n'; exit 0 ;;`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "ERROR: etcd is not healthy with every member started, as cp-1 (203.0.113.10) reports it: upgrading (rebooting) a control plane now could lose etcd's quorum, so it was not upgraded, nor cp-2 (203.0.113.11), cp-3 (203.0.113.12), worker-1 (203.0.113.13).",
    );
    expect(upgrades(r.calls)).toEqual([]);
  });

  it('a node of talos.nodes that does not answer (down, or stuck in an earlier upgrade): no other node is rebooted meanwhile', async () => {
    const state = stateDir({ [w1.ip]: 'v1.11.5' });
    const r = await upgradeOs({ DOWN: w1.ip }, state);
    expect(r.code).toBe(1);
    expect(upgrades(r.calls)).toEqual([]);
    expect(r.stderr).toContain('ERROR: worker-1 (203.0.113.13) of talos.nodes did not answer the Talos API (down, or stuck in an earlier upgrade), so no other node was upgraded');
    expect(r.stderr).toContain('Not touched: cp-1 (203.0.113.10), cp-2 (203.0.113.11), cp-3 (203.0.113.12).');
    expect(r.stderr).toContain('then run ztc bootstrap demo again');
    expect(fact(state, w1.ip)).toBe('v1.11.5');
  });

  it('a two-member etcd, which Talos refuses to upgrade a control plane of: said before anything is touched, with how to get three', async () => {
    const r = await upgradeOs({}, stateDir(), 20, 900, [w1, cp1, cp2]);
    expect(r.code).toBe(1);
    expect(upgrades(r.calls)).toEqual([]);
    expect(at(r.calls, /etcd snapshot /)).toBe(-1);
    expect(r.stderr).toContain('ERROR: etcd has two members (cp-1 (203.0.113.10), cp-2 (203.0.113.11)): Talos refuses to upgrade a control plane of a two-member etcd');
    expect(r.stderr).toContain('Not touched: cp-1 (203.0.113.10), cp-2 (203.0.113.11), worker-1 (203.0.113.13).');
    expect(r.stderr).toContain('Add a third control plane to talos.nodes in platforms/demo/platform.yaml');
  });

  it('a node that does not come back stops the step, named, with what to do; the nodes after it are not touched nor recorded', async () => {
    const state = stateDir({ [cp2.ip]: 'v1.11.5', [w1.ip]: 'v1.11.5' });
    // The step has 10 minutes left; one node gets node_timeout_seconds (2 s here): the spec's 60 s limit holds only with that bound.
    const r = await upgradeOs({ STUCK: cp2.ip }, state, 600, 2);
    expect(r.code).toBe(1);
    expect(upgrades(r.calls)).toEqual([cp1.ip, cp2.ip]);
    expect(r.stderr).toContain('ERROR: cp-2 (203.0.113.11) did not come back from its upgrade to Talos v1.11.6');
    expect(r.stderr).toContain('talosctl --talosconfig');
    expect(r.stderr).toContain(`--nodes ${cp2.ip} dmesg`);
    expect(r.stderr).toContain(
      'ztc bootstrap demo resumes: it asks every node its version again and continues after cp-2. Not touched: cp-3 (203.0.113.12), worker-1 (203.0.113.13).',
    );
    expect(fact(state, cp1.ip)).toBe('v1.11.6');
    // The stuck node's and the untouched node's records keep what they last answered: never the context's version.
    expect(fact(state, cp2.ip)).toBe('v1.11.5');
    expect(fact(state, w1.ip)).toBe('v1.11.5');
  }, 60_000);
});

describe('talos/upgrade-k8s', () => {
  const nodes2 = [cp1, w1];
  const upgradeK8s = (target: string, live: string) =>
    runAdapterScript({
      script: script('bootstrap/upgrade-k8s.sh'),
      context: { nodes: nodes2, talos_version: 'v1.11.5', kubernetes_version: target },
      privateFiles,
      env: { ETCD_MEMBERS: membersOf(cp1), SERVER_VERSION: `v${live}`, K8S_NODES: JSON.stringify(nodes2.map((n) => k8sNode(n, `v${live}`))) },
      tools: { talosctl: world.talosctl(), kubectl: world.kubectl() },
    });

  it('an etcd snapshot, the dry run, then the upgrade through the first control plane; waits until every Node runs the version', async () => {
    const r = await upgradeK8s('1.34.1', '1.33.5');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const steps = [/etcd snapshot /, /upgrade-k8s --to 1\.34\.1 --dry-run$/, /upgrade-k8s --to 1\.34\.1$/].map((re) => at(r.calls, re));
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(r.calls[steps[2]!]).toBe(`talosctl --nodes ${cp1.ip} upgrade-k8s --to 1.34.1`);
    expect(r.stdout).toContain('the API server and every Node run Kubernetes 1.34.1');
  });

  it('a jump of more than one minor is refused with the supported path, before anything is touched', async () => {
    const r = await upgradeK8s('1.34.1', '1.32.3');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'ERROR: the API server runs Kubernetes 1.32.3, and talos.kubernetes_version is 1.34.1: Kubernetes upgrades one minor version at a time, so nothing was touched. Set kubernetes_version in platforms/demo/platform.yaml to 1.33.x in turn',
    );
    expect(r.calls.filter((c) => /upgrade-k8s|etcd snapshot/.test(c))).toEqual([]);
  });

  it("reads the API server's version from kubectl version's text when it does not print JSON", async () => {
    const r = await runAdapterScript({
      script: script('bootstrap/upgrade-k8s.sh'),
      context: { nodes: nodes2, talos_version: 'v1.11.5', kubernetes_version: '1.34.1' },
      privateFiles,
      env: { ETCD_MEMBERS: membersOf(cp1), K8S_NODES: JSON.stringify(nodes2.map((n) => k8sNode(n, 'v1.34.1'))) },
      tools: { talosctl: world.talosctl(), kubectl: world.kubectl(`  "version -o json") printf 'Client Version: v1.34.1\\nServer Version: v1.34.1\\n' ;;`) },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the API server and every kubelet run Kubernetes 1.34.1: nothing to upgrade');
  });

  it('a downgrade is refused; the configured version running everywhere is left alone', async () => {
    const down = await upgradeK8s('1.34.0', '1.34.1');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('Kubernetes cannot be downgraded, so nothing was touched');
    const same = await upgradeK8s('1.34.1', '1.34.1');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('nothing to upgrade');
    expect(same.calls.filter((c) => /upgrade-k8s|etcd snapshot/.test(c))).toEqual([]);
  });
});

describe('talos/remove-nodes', () => {
  const removeNodes = (context: object[], live: object[], members: string, env: Record<string, string> = {}, state = stateDir(), arms = '') =>
    runAdapterScript({
      script: script('bootstrap/remove-nodes.sh'),
      context: { nodes: context, talos_version: 'v1.11.5' },
      privateFiles,
      env: { ZTC_STATE_DIR: state, ETCD_MEMBERS: members, K8S_NODES: JSON.stringify(live.map((n) => k8sNode(n as never))), ...env },
      tools: { talosctl: world.talosctl(arms), kubectl: world.kubectl() },
    });
  const acts = (calls: string[]) =>
    calls.filter((c) => /^kubectl (cordon|drain|delete)|etcd (leave|remove-member)| reset /.test(c)).map((c) => c.replace(/ --timeout=\d+s$/, ' --timeout=…'));
  const RESET = '--graceful=true --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL';

  it('a worker no longer in talos.nodes (its IP nowhere in the context): cordoned, drained, reset, its Node deleted, its facts cleared', async () => {
    const state = stateDir({ [w2.ip]: 'v1.11.5' });
    const r = await removeNodes([cp1, w1], [cp1, w1, w2], membersOf(cp1), {}, state);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(acts(r.calls)).toEqual([
      'kubectl cordon worker-2',
      'kubectl drain worker-2 --ignore-daemonsets --delete-emptydir-data --timeout=…',
      `talosctl --nodes ${w2.ip} reset ${RESET}`,
      'kubectl delete node worker-2',
    ]);
    expect(fact(state, w2.ip)).toBeUndefined();
  });

  it('workers first, then a control plane: it leaves etcd before its reset', async () => {
    const r = await removeNodes([cp1, cp2, w1], [cp1, cp2, cp3, w1, w2], membersOf(cp1, cp2, cp3));
    expect(r.code).toBe(0);
    expect(acts(r.calls)).toEqual([
      'kubectl cordon worker-2',
      'kubectl drain worker-2 --ignore-daemonsets --delete-emptydir-data --timeout=…',
      `talosctl --nodes ${w2.ip} reset ${RESET}`,
      'kubectl delete node worker-2',
      'kubectl cordon cp-3',
      'kubectl drain cp-3 --ignore-daemonsets --delete-emptydir-data --timeout=…',
      `talosctl --nodes ${cp3.ip} etcd leave`,
      `talosctl --nodes ${cp3.ip} reset ${RESET}`,
      'kubectl delete node cp-3',
    ]);
  });

  it('removing a control plane so that etcd would lose its quorum is refused before anything is touched', async () => {
    // cp-2 stays but its etcd is down: with cp-3 gone, 1 healthy member of 2 would be left.
    const etcdDown = `  *"--nodes ${cp2.ip} service etcd"*) printf 'STATE    Preparing\\nHEALTH   ?\\n'; exit 0 ;;`;
    const r = await removeNodes([cp1, cp2, w1], [cp1, cp2, cp3, w1], membersOf(cp1, cp2, cp3), {}, stateDir(), etcdDown);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'ERROR: removing the control plane cp-3 (203.0.113.12) would leave 1 healthy etcd member(s) of 2, with 2 of 3 healthy now: etcd would lose its quorum, so nothing was touched. Bring the unhealthy members back first',
    );
    expect(acts(r.calls)).toEqual([]);
  });

  it('two healthy control planes → one: the removal keeps a quorum (both vote it, one of one remains), so it leaves etcd and is reset', async () => {
    const r = await removeNodes([cp1, w1], [cp1, cp2, w1], membersOf(cp1, cp2));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(acts(r.calls)).toEqual([
      'kubectl cordon cp-2',
      'kubectl drain cp-2 --ignore-daemonsets --delete-emptydir-data --timeout=…',
      `talosctl --nodes ${cp2.ip} etcd leave`,
      `talosctl --nodes ${cp2.ip} reset ${RESET}`,
      'kubectl delete node cp-2',
    ]);
  });

  it('a control plane that no longer answers: cordoned (not drained), removed from etcd through a remaining control plane, not reset, its Node deleted', async () => {
    const r = await removeNodes([cp1, cp2, w1], [cp1, cp2, cp3, w1], membersOf(cp1, cp2, cp3), { DOWN: cp3.ip });
    expect(r.code).toBe(0);
    expect(acts(r.calls)).toEqual(['kubectl cordon cp-3', `talosctl --nodes ${cp1.ip} etcd remove-member id12`, 'kubectl delete node cp-3']);
    expect(r.stderr).toContain('WARNING: cp-3 (203.0.113.12) was not reset: it does not answer the Talos API.');
  });

  it('exactly the configured nodes: nothing is touched', async () => {
    const r = await removeNodes([cp1, w1], [cp1, w1], membersOf(cp1));
    expect(r.code).toBe(0);
    expect(acts(r.calls)).toEqual([]);
    expect(r.stdout).toContain('Kubernetes and etcd hold exactly the nodes of talos.nodes: nothing to remove');
  });
});

describe('talos/etcd-snapshot (ztc backup)', () => {
  it('a snapshot from a healthy control plane into the private dir (0600), path and size printed, the last 10 kept', async () => {
    const priv = tempDir('talos-spec-private-');
    mkdirSync(join(priv, 'talos', 'backups'), { recursive: true });
    writeFileSync(join(priv, 'talos', 'talosconfig'), 'context: demo\n');
    const old = Array.from({ length: 10 }, (_, i) => `etcd-202601${String(i + 10)}T000000Z.snapshot`);
    for (const f of old) writeFileSync(join(priv, 'talos', 'backups', f), 'old');
    const r = await runAdapterScript({
      script: script('backup/etcd-snapshot.sh'),
      context: { nodes: [cp1, cp2, w1] },
      env: { ZTC_PRIVATE_DIR: priv, DOWN: cp1.ip },
      tools: { talosctl: world.talosctl() },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // cp-1 is down: the snapshot comes from cp-2.
    expect(r.calls.filter((c) => c.includes('etcd snapshot'))).toEqual([expect.stringMatching(new RegExp(`^talosctl --nodes ${cp2.ip} etcd snapshot `))]);
    const files = readdirSync(join(priv, 'talos', 'backups')).sort();
    expect(files).toHaveLength(10);
    expect(files).not.toContain(old[0]);
    const fresh = files.at(-1)!;
    expect(fresh).toMatch(/^etcd-\d{8}T\d{6}Z\.snapshot$/);
    expect(statSync(join(priv, 'talos', 'backups', fresh)).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain(`etcd snapshot from cp-2 (203.0.113.11): ${join(priv, 'talos', 'backups', fresh)} (9 bytes)`);
    expect(r.stdout).not.toContain('etcd-data');
  });
});

describe('talos/reset-nodes (ztc destroy)', () => {
  /** reset-nodes for `nodes` against the stand-in cluster; `env` says which node is down, etcd's members, … */
  const resetNodes = (nodes: unknown[], env: Record<string, string>) =>
    runAdapterScript({ script: script('teardown/reset-nodes.sh'), context: { nodes }, privateFiles, env, tools: { talosctl: world.talosctl(), kubectl: world.kubectl() } });
  /** The resets made, in order, as `<ip> <graceful>`. */
  const resets = (r: { calls: string[] }): string[] =>
    r.calls.filter((c) => / reset /.test(c)).map((c) => c.replace(/^talosctl --nodes (\S+) reset --graceful=(\w+) .*$/, '$1 $2'));
  it('workers first, then control planes; graceful except the last control plane; a node that does not answer is warned about, not fatal', async () => {
    const state = stateDir({ [cp1.ip]: 'v1.11.5', [cp2.ip]: 'v1.11.5', [w1.ip]: 'v1.11.5', [w2.ip]: 'v1.11.5' });
    const r = await resetNodes([cp1, cp2, w1, w2], { ZTC_STATE_DIR: state, DOWN: w2.ip, ETCD_MEMBERS: membersOf(cp1, cp2) });
    expect(r.stderr).not.toContain('ERROR');
    expect(r.code).toBe(0);
    expect(resets(r)).toEqual([`${w1.ip} true`, `${cp1.ip} true`, `${cp2.ip} false`]);
    expect(r.calls.find((c) => / reset /.test(c))).toBe(
      `talosctl --nodes ${w1.ip} reset --graceful=true --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL`,
    );
    expect(r.stderr).toContain('WARNING: worker-2 (203.0.113.14, worker): does not answer as a node of this cluster (none): not reset.');
    for (const n of [cp1, cp2, w1, w2]) expect(fact(state, n.ip)).toBeUndefined();
  });

  it('a control plane that does not answer (the usual reason to tear down): the others are reset without leaving etcd, which would refuse', async () => {
    const r = await resetNodes([cp1, cp2, cp3, w1], { ZTC_STATE_DIR: stateDir(), DOWN: cp3.ip, ETCD_MEMBERS: membersOf(cp1, cp2, cp3) });
    expect(r.stderr).not.toContain('ERROR');
    expect(r.code).toBe(0);
    expect(resets(r)).toEqual([`${w1.ip} true`, `${cp1.ip} false`, `${cp2.ip} false`]);
    expect(r.stderr).toContain('WARNING: etcd is not healthy with every member started (as cp-1 (203.0.113.10) reports it)');
    expect(r.stderr).toContain('WARNING: cp-3 (203.0.113.12, controlplane): does not answer as a node of this cluster (none): not reset.');
  });

  it('a Kubernetes API that does not answer: the workers are reset without draining, which would wait for it and fail', async () => {
    const r = await resetNodes([cp1, w1, w2], { ZTC_STATE_DIR: stateDir(), API_DOWN: '1', ETCD_MEMBERS: membersOf(cp1), ZTC_RETRY_DELAY: '0' });
    expect(r.stderr).not.toContain('ERROR');
    expect(r.code).toBe(0);
    expect(resets(r)).toEqual([`${w1.ip} false`, `${w2.ip} false`, `${cp1.ip} false`]);
    expect(r.stderr).toContain('WARNING: the Kubernetes API does not answer');
  });
});
