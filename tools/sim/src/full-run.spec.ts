/**
 * The example platform bootstrapped end to end in the simulated datacenter, by the real ztc bin and the
 * unchanged adapter scripts: all four stages green from a clean state, the calls each tool received (in
 * order, per node), a second run that skips every non-validation step, and no secret or credential
 * anywhere it must not be.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sim, SimOptions } from './session';
import { calls, credentialForms, filesHolding, simFor, startedSteps } from './testing';
import type { Timing } from './world/world';

/**
 * The world's clock for these specs: simulated actions, boots and rollouts take milliseconds instead of
 * DEFAULT_TIMING's hundreds, so a run waits on the scripts' polls and its processes, not on the world.
 * Every wait still happens (each check asks the world's state); no assertion depends on how long it takes.
 */
const FAST: Partial<Timing> = { actionMs: 10, bootMs: 20, installMs: 20, etcdMs: 10, apiMs: 10, registerMs: 10, cniMs: 20, workloadMs: 10, providerMs: 20 };

/** A session on the fast clock. */
const fastSim = (opts: Partial<SimOptions> = {}): Promise<Sim> => simFor({ timing: FAST, ...opts });

/** The lines of a PEM key that hold key material (what a leak would show). */
const pemLines = (pem: string) => pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));

const CANARY = 'ZtcCanaryHcloud0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
const KEY = '$ZTC_PRIVATE_DIR/hetzner/rescue_ed25519 -o…×7';
const IMAGE = 'https://factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.11.5/hcloud-amd64.raw.xz';

// Whole simulated bootstraps: seconds each, more on a loaded machine.
describe('ztc bootstrap example in the simulated datacenter', { timeout: 180_000 }, () => {
  it('runs all four stages green, makes the expected calls, and skips every done step on a second run', async () => {
    const sim = await fastSim({ hcloudToken: CANARY });
    const first = await sim.ztc(['bootstrap', 'example']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(startedSteps(first.stdout)).toEqual([
      'github/check-health',
      'hetzner/check-health',
      'talos/check-health',
      'ksops/check-health',
      'hetzner/rescue',
      'ksops/age-key',
      'talos/gen-config',
      'talos/install-image',
      'talos/upgrade-os',
      'talos/upgrade-k8s',
      'talos/apply-controlplane',
      'talos/bootstrap-etcd',
      'talos/kubeconfig',
      'talos/join-workers',
      'talos/remove-nodes',
      'ksops/age-secret',
      'argocd/install',
      'argocd/admin-password',
      'argocd/repositories',
      'argocd/root-app',
      'cilium/install',
      'argocd/wait',
      'crossplane/wait',
      'cilium/validate',
      'talos/validate-cluster',
      'ksops/round-trip',
      'argocd/validate',
      'crossplane/validate',
    ]);
    expect(sim.world.cluster.nodes().map((n) => `${n.name} ${n.ready ? 'Ready' : 'NotReady'}`)).toEqual(['cp-1 Ready', 'worker-1 Ready', 'worker-2 Ready']);

    // What worker-1's server went through, in order (polls folded).
    expect(calls(sim, (c) => c.node === '203.0.113.11')).toEqual([
      // Asked before anything runs (no talosconfig yet: only the maintenance API), and by each step that acts.
      'talos/check-health | talosctl --nodes 203.0.113.11 version --insecure',
      `hetzner/rescue | ssh -n -i ${KEY} root@203.0.113.11 true`,
      'hetzner/rescue | hcloud-api POST /v1/servers/4202/actions/enable_rescue',
      'hetzner/rescue | hcloud-api POST /v1/servers/4202/actions/reset',
      `hetzner/rescue | ssh -n -i ${KEY} root@203.0.113.11 true`,
      'talos/gen-config | talosctl --nodes 203.0.113.11 version --insecure',
      'talos/install-image | talosctl --nodes 203.0.113.11 version',
      'talos/install-image | talosctl --nodes 203.0.113.11 version --insecure',
      `talos/install-image | ssh -n -i ${KEY} root@203.0.113.11 true`,
      `talos/install-image | ssh -n -i ${KEY} root@203.0.113.11 'set -euo pipefail; curl -fsSL ${IMAGE} | xz -d | dd of=/dev/sda bs=4M conv=fsync status=none; sync'`,
      `talos/install-image | curl@rescue -fsSL ${IMAGE}`,
      'talos/install-image | xz@rescue -d',
      'talos/install-image | dd@rescue of=/dev/sda bs=4M conv=fsync status=none',
      'talos/install-image | sync@rescue',
      `talos/install-image | ssh -n -i ${KEY} root@203.0.113.11 reboot`,
      'talos/install-image | reboot@rescue',
      'talos/install-image | talosctl --nodes 203.0.113.11 version',
      'talos/install-image | talosctl --nodes 203.0.113.11 version --insecure',
      // Asked which Talos it runs before any upgrade (in maintenance mode still: nothing to upgrade).
      'talos/upgrade-os | talosctl --nodes 203.0.113.11 version',
      'talos/upgrade-os | talosctl --nodes 203.0.113.11 version --insecure',
      'talos/join-workers | talosctl --nodes 203.0.113.11 version',
      'talos/join-workers | talosctl --nodes 203.0.113.11 version --insecure',
      'talos/join-workers | talosctl apply-config --insecure --nodes 203.0.113.11 --file $ZTC_PRIVATE_DIR/talos/nodes/worker-1.yaml',
      'talos/join-workers | talosctl --nodes 203.0.113.11 version',
      // Validation asks every configured node whether it runs this cluster's Talos.
      'talos/validate-cluster | talosctl --nodes 203.0.113.11 version',
    ]);
    // The control plane: configured before etcd is bootstrapped on it, once; nothing else is bootstrapped.
    const cp = calls(sim, (c) => c.node === '203.0.113.10' && c.tool === 'talosctl' && !c.argv.includes('version'));
    expect(cp).toEqual([
      'talos/apply-controlplane | talosctl apply-config --insecure --nodes 203.0.113.10 --file $ZTC_PRIVATE_DIR/talos/nodes/cp-1.yaml',
      'talos/bootstrap-etcd | talosctl --nodes 203.0.113.10 service etcd',
      'talos/bootstrap-etcd | talosctl --nodes 203.0.113.10 etcd members',
      'talos/bootstrap-etcd | talosctl --nodes 203.0.113.10 bootstrap',
      'talos/bootstrap-etcd | talosctl --nodes 203.0.113.10 service etcd',
      'talos/kubeconfig | talosctl --nodes 203.0.113.10 kubeconfig $ZTC_PRIVATE_DIR/kubeconfig --force --merge=false',
      // Looking for nodes to remove: the members etcd lists (none is unnamed by platform.yaml).
      'talos/remove-nodes | talosctl --nodes 203.0.113.10 etcd members',
      'talos/validate-cluster | talosctl --nodes 203.0.113.10 health --control-plane-nodes 203.0.113.10 --worker-nodes 203.0.113.11,203.0.113.12 --wait-timeout 2m',
    ]);
    // Configs come from the rendered patches, each node's patch on the base of its role.
    expect(calls(sim, (c) => c.step === 'talos/gen-config' && c.argv[0] === 'machineconfig')).toEqual(
      ['cp-1', 'worker-1', 'worker-2'].map(
        (n) =>
          `talos/gen-config | talosctl machineconfig patch $ZTC_PRIVATE_DIR/talos/${n === 'cp-1' ? 'controlplane' : 'worker'}.yaml --patch @platforms/example/generated/talos/nodes/${n}.yaml --output $ZTC_PRIVATE_DIR/talos/nodes/${n}.yaml`,
      ),
    );
    expect(calls(sim, (c) => c.tool === 'talosctl' && c.argv.slice(0, 2).join(' ') === 'gen config')[0]).toContain(
      '--kubernetes-version 1.34.1 --install-disk /dev/sda --install-image factory.talos.dev/hcloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.5 --config-patch @platforms/example/generated/talos/patches/cluster.yaml --config-patch @platforms/example/generated/talos/patches/kubernetes.yaml',
    );
    expect(calls(sim, (c) => c.tool === 'helm' && c.argv[0] === 'upgrade')).toEqual([
      expect.stringMatching(
        /^cilium\/install \| helm upgrade --install cilium cilium --repo https:\/\/helm\.cilium\.io --version 1\.18\.5 --namespace kube-system --values platforms\/example\/generated\/cilium\/values\.yaml --description 'ztc values sha256 [0-9a-f]{64}'$/,
      ),
    ]);

    // The GitOps layer, in order (polls folded): credentials checked, the key made and backed up, Argo CD
    // installed with the key, the platform synced from git, then validated through KSOPS in the repo-server.
    expect(calls(sim, (c) => /^(github|ksops|argocd|crossplane)\//.test(c.step ?? ''))).toEqual([
      'github/check-health | github-api POST /app/installations/7654321/access_tokens',
      'github/check-health | github-api GET /repos/acme/acme-platform',
      'github/check-health | github-api GET /repos/acme/acme-tenants',
      'ksops/check-health | s3-api HEAD /acme-platform-secrets',
      'ksops/check-health | s3-api PUT /acme-platform-secrets/.ztc-write-probe',
      'ksops/check-health | s3-api DELETE /acme-platform-secrets/.ztc-write-probe',
      'ksops/age-key | s3-api GET /acme-platform-secrets/ztc/acme/acme-platform/example/age.key',
      'ksops/age-key | s3-api PUT /acme-platform-secrets/ztc/acme/acme-platform/example/age.key',
      'ksops/age-secret | kubectl create namespace argocd --dry-run=client -o yaml',
      'ksops/age-secret | kubectl apply --server-side --field-manager=ztc -f -',
      'ksops/age-secret | kubectl create secret generic sops-age --namespace argocd --from-file=keys.txt=$ZTC_PRIVATE_DIR/ksops/age.key --dry-run=client -o yaml',
      'ksops/age-secret | kubectl apply --server-side --field-manager=ztc -f -',
      'argocd/install | kubectl create namespace argocd --dry-run=client -o yaml',
      'argocd/install | kubectl apply --server-side --field-manager=ztc -f -',
      // The running version first (an upgrade is applied as one).
      'argocd/install | kubectl --namespace argocd get deployment argocd-server -o json',
      'argocd/install | kubectl apply --server-side --force-conflicts --field-manager=ztc -k platforms/example/generated/argocd/install',
      'argocd/install | kubectl get crd applications.argoproj.io -o json',
      'argocd/install | kubectl get crd appprojects.argoproj.io -o json',
      'argocd/install | kubectl get crd applicationsets.argoproj.io -o json',
      'argocd/admin-password | kubectl --namespace argocd get secret argocd-secret -o json',
      'argocd/admin-password | kubectl --namespace argocd patch secret argocd-secret --type merge --patch-file /dev/stdin',
      'argocd/admin-password | kubectl --namespace argocd delete secret argocd-initial-admin-secret --ignore-not-found',
      'argocd/repositories | kubectl apply --server-side --force-conflicts --field-manager=ztc -f -',
      'argocd/root-app | kubectl apply --server-side --force-conflicts --field-manager=ztc -f platforms/example/generated/argocd/root/project.yaml',
      'argocd/root-app | kubectl apply --server-side --force-conflicts --field-manager=ztc -f platforms/example/generated/argocd/root/root-app.yaml',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-applicationset-controller --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-dex-server --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-notifications-controller --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-redis --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-repo-server --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status deployment/argocd-server --timeout=10s',
      'argocd/wait | kubectl --namespace argocd rollout status statefulset/argocd-application-controller --timeout=10s',
      'argocd/wait | kubectl --namespace argocd get application example-root',
      'argocd/wait | kubectl --namespace argocd get applications.argoproj.io -o json',
      'crossplane/wait | kubectl --namespace crossplane-system get deployment crossplane -o json',
      'crossplane/wait | kubectl --namespace crossplane-system rollout status deployment/crossplane --timeout=10s',
      'crossplane/wait | kubectl get providers.pkg.crossplane.io -o json',
      'ksops/round-trip | sops --config platforms/example/.ztc/state/ksops/.sops.yaml --encrypt probe.secret.yaml',
      'ksops/round-trip | sops --decrypt probe.enc.yaml',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-applicationset-controller --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-dex-server --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-notifications-controller --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-redis --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-repo-server --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status deployment/argocd-server --timeout=30s',
      'argocd/validate | kubectl --namespace argocd rollout status statefulset/argocd-application-controller --timeout=30s',
      'argocd/validate | kubectl --namespace argocd get deployment argocd-server -o json',
      'argocd/validate | kubectl --namespace argocd get applications.argoproj.io -o json',
      'argocd/validate | sops --config platforms/example/.ztc/state/ksops/.sops.yaml --encrypt probe.secret.yaml',
      "argocd/validate | kubectl --namespace argocd exec -i deploy/argocd-repo-server -c argocd-repo-server -- sh -c 'set -e; … (8 lines)'",
      'argocd/validate | kustomize@argocd-repo-server build --enable-alpha-plugins --enable-exec .',
      'crossplane/validate | kubectl --namespace crossplane-system get deployment crossplane -o json',
      'crossplane/validate | kubectl get providers.pkg.crossplane.io -o json',
      'crossplane/validate | kubectl get crd -o json',
    ]);
    // Secrets: every secret env var (the canary HCLOUD_TOKEN, S3 keys, the GitHub App key line by line, the
    // Argo CD admin password) is in no file of the session (workspace copy: logs, receipts, state; private
    // dir); the Age private key made during the run is only in the private dir; credentials the cluster
    // made stay in the private dir; nothing put a secret on a command line.
    const envSecrets = [CANARY, sim.world.s3.accessKey, sim.world.s3.secretKey, sim.world.adminPassword, ...pemLines(sim.world.github.privateKeyPem)];
    expect(filesHolding(sim.root, envSecrets)).toEqual([]);
    const ageKey = readFileSync(join(sim.privateDir, 'ksops/age.key'), 'utf8').match(/AGE-SECRET-KEY-1[0-9A-Z]+/)![0];
    expect(filesHolding(sim.root, [ageKey])).toEqual(['private/ksops/age.key']);
    expect(filesHolding(sim.workspace, credentialForms(sim))).toEqual([]);
    expect(filesHolding(sim.privateDir, credentialForms(sim)).sort()).toEqual([
      'kubeconfig',
      'talos/controlplane.yaml',
      'talos/nodes/cp-1.yaml',
      'talos/nodes/worker-1.yaml',
      'talos/nodes/worker-2.yaml',
      'talos/secrets.yaml',
      'talos/talosconfig',
      'talos/worker.yaml',
    ]);
    // The admin password reached the cluster as a bcrypt hash only; the Age key as the sops-age Secret.
    const argocdSecret = sim.world.cluster.objects.get('Secret/argocd/argocd-secret')!;
    expect(Buffer.from(argocdSecret.data['admin.password'], 'base64').toString()).toMatch(/^\$2a\$10\$.{53}$/);
    expect(Buffer.from(sim.world.cluster.objects.get('Secret/argocd/sops-age')!.data['keys.txt'], 'base64').toString()).toContain(ageKey);
    expect(sim.world.s3.buckets.get('acme-platform-secrets')!.get('ztc/acme/acme-platform/example/age.key')!.toString()).toContain(ageKey);
    expect(sim.world.leaks).toEqual([]);
    expect(readdirSync(sim.tmpDir)).toEqual([]);
    expect(sim.leftoverProcesses()).toEqual([]);
    // Non-secret values later steps and runs use are in the state dir.
    const state = join(sim.workspace, 'platforms/example/.ztc/state');
    expect(readdirSync(join(state, 'machines')).sort()).toEqual(['203.0.113.10.json', '203.0.113.11.json', '203.0.113.12.json']);
    expect(existsSync(join(state, 'hetzner/servers.json'))).toBe(true);

    // Second run: every non-validation step is done; only pre-flight and validation talk to the world.
    const before = sim.world.calls.length;
    const second = await sim.ztc(['bootstrap', 'example']);
    expect(second.code).toBe(0);
    const again = [
      'github/check-health',
      'hetzner/check-health',
      'talos/check-health',
      'ksops/check-health',
      'cilium/validate',
      'talos/validate-cluster',
      'ksops/round-trip',
      'argocd/validate',
      'crossplane/validate',
    ];
    expect(startedSteps(second.stdout)).toEqual(again);
    expect([...new Set(sim.world.calls.slice(before).map((c) => c.step))].sort()).toEqual([...again].sort());

    // --fresh runs every step again, and each finds its work done: nothing is redone on any machine.
    const beforeFresh = sim.world.calls.length;
    const fresh = await sim.ztc(['bootstrap', 'example', '--fresh']);
    expect(fresh.code).toBe(0);
    const redone = sim.world.calls
      .slice(beforeFresh)
      .filter(
        (c) =>
          (c.tool === 'hcloud-api' && c.argv[0] === 'POST') ||
          c.tool.endsWith('@rescue') ||
          (c.tool === 'talosctl' &&
            ((c.argv.includes('--insecure') && c.argv.includes('apply-config')) || c.argv.includes('bootstrap') || c.argv.slice(0, 2).join(' ') === 'gen secrets')) ||
          (c.tool === 'helm' && c.argv[0] === 'upgrade') ||
          (c.tool === 's3-api' && c.argv[0] === 'PUT' && c.argv[1]!.endsWith('age.key')),
      );
    expect(redone).toEqual([]);
    expect(fresh.stdout).toContain('[hetzner/rescue] 203.0.113.10 (ztc-sim-1): refuses SSH, so it runs an installed OS without sshd (Talos runs none): not rebooted');
    expect(fresh.stdout).toContain('[talos/bootstrap-etcd] etcd already exists on cp-1 (203.0.113.10): not bootstrapped again');
    expect(fresh.stdout).toContain('[cilium/install] Cilium 1.18.5 is deployed with these values already');
    expect(fresh.stdout).toContain('[ksops/age-key] using the Age key in the private dir');
    expect(fresh.stdout).toContain('[argocd/admin-password] the admin password is set already');
  });
});
