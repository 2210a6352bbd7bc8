/**
 * The cilium scripts' own decisions, with stand-in helm and kubectl: an upgrade across a minor version
 * passes upgradeCompatibility set to the minor being left (as Cilium's upgrade guide asks) and a patch
 * change or a new install does not; a skipped minor is refused before helm runs; validation compares the
 * agents' image tag with the configured version. The whole upgrade against faithful tools is the
 * simulation's (tools/sim).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const generated = mkdtempSync(join(tmpdir(), 'ztc-cilium-generated-'));
writeFileSync(join(generated, 'values.yaml'), 'kubeProxyReplacement: true\n');
afterAll(() => rmSync(generated, { recursive: true, force: true }));
const installContext = (version: string) => ({
  repository: 'https://helm.cilium.io',
  chart: 'cilium',
  version,
  namespace: 'kube-system',
  values: 'values.yaml',
  bgp_manifests: [],
});

/** helm answering `status` with a release of chart `deployed` in `state` (none: not found) and user values `config`, and accepting the upgrade. */
const helm = (deployed?: string, state = 'deployed', config: object = {}) => `case $1 in
  status) ${deployed ? `echo '{"info":{"status":"${state}","description":"ztc values sha256 old"},"chart":{"metadata":{"version":"${deployed}"}},"config":${JSON.stringify(config)}}'` : 'echo "Error: release: not found" >&2; exit 1'} ;;
  upgrade) exit 0 ;;
esac`;
/** kubectl: every rollout complete, every node Ready; the agents run 1.18.5. */
const kubectl = `case "$*" in
  *"get daemonset cilium"*) echo '{"spec":{"template":{"spec":{"containers":[{"name":"cilium-agent","image":"quay.io/cilium/cilium:v1.18.5@sha256:abc"}]}}}}' ;;
  *rollout*) exit 0 ;;
  *"get nodes"*) echo '{"items":[{"metadata":{"name":"n1"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}' ;;
esac`;

async function install(deployed: string | undefined, version: string, state?: string, config?: object) {
  return runAdapterScript({
    script: join(__dirname, 'scripts', 'post-work', 'install.sh'),
    context: installContext(version),
    env: { ZTC_GENERATED_DIR: generated },
    tools: { helm: helm(deployed, state, config), kubectl },
  });
}
const upgradeCall = (calls: string[]) => calls.find((c) => c.startsWith('helm upgrade'));

describe('cilium/install', () => {
  it('1.18.5 → 1.19.6: helm upgrade at 1.19.6 with upgradeCompatibility=1.18, the minor being left', async () => {
    const r = await install('1.18.5', '1.19.6');
    expect(r.code, r.stderr).toBe(0);
    expect(upgradeCall(r.calls)).toContain('--version 1.19.6');
    expect(upgradeCall(r.calls)).toContain('--set upgradeCompatibility=1.18');
    expect(r.stdout).toContain('upgrading Cilium 1.18.5 -> 1.19.6: upgradeCompatibility=1.18');
  });

  it('a patch change (1.18.5 → 1.18.6) and a new install pass no upgradeCompatibility', async () => {
    for (const [deployed, version] of [
      ['1.18.5', '1.18.6'],
      [undefined, '1.19.6'],
    ] as const) {
      const r = await install(deployed, version);
      expect(r.code, r.stderr).toBe(0);
      expect(upgradeCall(r.calls)).toContain(`--version ${version}`);
      expect(upgradeCall(r.calls)).not.toContain('upgradeCompatibility');
    }
  });

  it('upgradeCompatibility set by the minor upgrade stays on every later helm upgrade (a patch, a values change): dropping it would switch the datapath settings it keeps', async () => {
    const r = await install('1.19.6', '1.19.7', 'deployed', { upgradeCompatibility: '1.18', kubeProxyReplacement: true });
    expect(r.code, r.stderr).toBe(0);
    expect(upgradeCall(r.calls)).toContain('--version 1.19.7');
    expect(upgradeCall(r.calls)).toContain('--set upgradeCompatibility=1.18');
  });

  it('after a failed upgrade to 1.19.6 (release status failed), the version left is the one the agents still run: upgradeCompatibility=1.18', async () => {
    const r = await install('1.19.6', '1.19.6', 'failed');
    expect(r.code, r.stderr).toBe(0);
    expect(upgradeCall(r.calls)).toContain('--set upgradeCompatibility=1.18');
  });

  it('a release left pending by an interrupted helm (pending-upgrade) is an ERROR saying how to clear it, before helm upgrade (which real helm refuses then)', async () => {
    const r = await install('1.19.6', '1.19.6', 'pending-upgrade');
    expect(r.code).toBe(1);
    expect(upgradeCall(r.calls)).toBeUndefined();
    expect(r.stderr).toContain('ERROR: the Cilium release kube-system/cilium is pending-upgrade');
    expect(r.stderr).toContain('run "helm rollback cilium --namespace kube-system"');
  });

  it('a jump over a minor (1.17 → 1.19) is refused before helm upgrades anything, naming the path', async () => {
    const r = await install('1.17.9', '1.19.6');
    expect(r.code).toBe(1);
    expect(upgradeCall(r.calls)).toBeUndefined();
    expect(r.stderr).toContain('ERROR: Cilium 1.17.9 runs and platform.yaml asks for 1.19.6: Cilium upgrades one minor version at a time only');
    expect(r.stderr).toContain('to the newest 1.18.x first');
  });

  it('a rollback of one minor (1.19.6 → 1.18.5) is a supported path: helm upgrade at 1.18.5 without upgradeCompatibility', async () => {
    const r = await install('1.19.6', '1.18.5');
    expect(r.code, r.stderr).toBe(0);
    expect(upgradeCall(r.calls)).toContain('--version 1.18.5');
    expect(upgradeCall(r.calls)).not.toContain('upgradeCompatibility');
    expect(r.stdout).toContain('rolling Cilium back 1.19.6 -> 1.18.5 (one minor back');
  });

  it('a rollback over a minor (1.20 → 1.18) is refused naming the minor to go through, not a newer one', async () => {
    const r = await install('1.20.1', '1.18.5');
    expect(r.code).toBe(1);
    expect(upgradeCall(r.calls)).toBeUndefined();
    expect(r.stderr).toContain('ERROR: Cilium 1.20.1 runs and platform.yaml asks for 1.18.5: Cilium rolls back one minor version at a time only');
    expect(r.stderr).toContain('to the newest 1.19.x first (render, bootstrap), then to 1.18.5');
  });
});

describe('cilium/validate', () => {
  /** The DaemonSet's template runs `image`; the agent pod on n1 runs `podImage` (the template's unless its rollout is not done). */
  const run = (image: string, podImage = image) =>
    runAdapterScript({
      script: join(__dirname, 'scripts', 'validation', 'validate.sh'),
      context: { namespace: 'kube-system', version: '1.19.6' },
      tools: {
        kubectl: `case "$*" in
  *"get daemonset cilium"*) echo '{"spec":{"template":{"spec":{"containers":[{"name":"cilium-agent","image":"${image}"}]}}}}' ;;
  *"get nodes"*) echo '{"items":[{"metadata":{"name":"n1"}}]}' ;;
  *"get pods"*) echo '{"items":[{"metadata":{"name":"cilium-a"},"spec":{"nodeName":"n1","containers":[{"name":"cilium-agent","image":"${podImage}"}]},"status":{"phase":"Running"}}]}' ;;
  *exec*) echo OK ;;
esac`,
      },
    });

  it('the agents at the configured version (image tag, digest ignored) pass', async () => {
    const r = await run('quay.io/cilium/cilium:v1.19.6@sha256:abc');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Cilium agents run v1.19.6');
    expect(r.code).toBe(0);
  });

  it('agents still at the old version fail, saying which runs and what to do', async () => {
    const r = await run('quay.io/cilium/cilium:v1.18.5@sha256:abc');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: the Cilium agents run v1.18.5 (image quay.io/cilium/cilium:v1.18.5@sha256:abc), platform.yaml asks for v1.19.6');
  });

  it('a node whose agent pod still runs the old version fails, naming it, though the DaemonSet asks for the new one', async () => {
    const r = await run('quay.io/cilium/cilium:v1.19.6@sha256:abc', 'quay.io/cilium/cilium:v1.18.5@sha256:old');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('n1: cilium-a runs v1.18.5, not v1.19.6 (its rollout is not done)');
  });
});

describe('cilium/uninstall (teardown)', () => {
  const run = (tools: Record<string, string>, kubeconfig = true) =>
    runAdapterScript({
      script: join(__dirname, 'scripts', 'teardown', 'uninstall.sh'),
      context: { namespace: 'kube-system', chart: 'cilium' },
      privateFiles: kubeconfig ? { kubeconfig: 'apiVersion: v1\n' } : {},
      tools,
    });
  const apiUp = 'exit 0';

  it('uninstalls the release when it is deployed', async () => {
    const r = await run({ kubectl: apiUp, helm: `[[ $1 == status ]] && echo '{}'; exit 0` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toContain('helm uninstall cilium --namespace kube-system');
  });

  it('no release is fine: nothing is uninstalled', async () => {
    const r = await run({ kubectl: apiUp, helm: `[[ $1 == status ]] && { echo 'Error: release: not found' >&2; exit 1; }; exit 0` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no Cilium release in kube-system');
    expect(r.calls.filter((c) => c.startsWith('helm uninstall'))).toEqual([]);
  });

  it('a cluster whose API does not answer is passed over with a WARNING (Cilium goes with it); helm is not called', async () => {
    const r = await run({ kubectl: 'echo "connection refused" >&2; exit 1', helm: 'exit 0' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("WARNING: the cluster's API does not answer");
    expect(r.calls.filter((c) => c.startsWith('helm'))).toEqual([]);
  });

  it('helm failing for another reason is an ERROR that says what to do', async () => {
    const r = await run({ kubectl: apiUp, helm: `echo 'Error: Kubernetes cluster unreachable: forbidden' >&2; exit 1` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: helm could not read the release kube-system/cilium: Error: Kubernetes cluster unreachable: forbidden. Check the cluster');
  });
});
