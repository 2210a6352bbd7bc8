/**
 * The talos scripts' own decisions, with stand-in talosctl/kubectl answering as the real tools do:
 * what is asked live before a disk is written or etcd is bootstrapped, and how odd answers are read.
 * The whole flow against faithful tools is the simulation's (tools/sim).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const script = (rel: string) => join(__dirname, 'scripts', rel);
const nodes = [
  { name: 'cp-1', ip: '203.0.113.10', role: 'controlplane' },
  { name: 'worker-1', ip: '203.0.113.11', role: 'worker' },
];
const node = (name: string, conditions?: unknown[]) => ({ metadata: { name }, status: conditions ? { conditions } : {} });

/** validate-cluster with the platform's talosconfig and a talosctl answering `talosctl` (bash case arms) first. */
const validate = (talosctl: string, kubectl: string) =>
  runAdapterScript({
    script: script('validation/validate-cluster.sh'),
    context: { nodes },
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
