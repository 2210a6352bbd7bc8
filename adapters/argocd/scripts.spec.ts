/**
 * The argocd scripts' own decisions, with a stand-in kubectl: a wait must never succeed on a failing
 * kubectl. The whole flow against faithful tools is the simulation's (tools/sim).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

describe('argocd/wait', () => {
  it('fails closed: kubectl failing to list the applications is not "all Synced and Healthy"', async () => {
    const r = await runAdapterScript({
      script: join(__dirname, 'scripts', 'post-work', 'wait.sh'),
      context: { namespace: 'argocd', root_app: 'root', components: { deployments: [], statefulsets: [] } },
      deadlineSeconds: 2,
      tools: {
        // The root app is there; listing the applications fails (API server gone, RBAC).
        kubectl: `[[ $* == *"get application root"* ]] && exit 0
echo "error: the server was unable to return a response in the time allotted" >&2; exit 1`,
      },
    });
    expect(r.stdout).not.toContain('all applications Synced and Healthy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: applications not Synced/Healthy');
  });
});

describe('argocd/delete-apps (teardown)', () => {
  const context = { namespace: 'argocd', root_app: 'demo-root' };
  /** kubectl over a file of application names ($HOME/apps): delete removes one when `cascade` is on. */
  const kubectl = (cascade: boolean) => `apps=$HOME/apps
case "$*" in
  "get --raw /readyz"*) exit 0 ;;
  "get crd applications.argoproj.io") exit 0 ;;
  *"get applications.argoproj.io -o json") jq -Rn '{items: [inputs | select(. != "") | {metadata: {name: .}}]}' <"$apps" ;;
  *"get application "*) echo '{"metadata":{"name":"x","finalizers":["other"]}}' ;;
  *patch*) exit 0 ;;
  *delete*) ${cascade ? 'name=$5; grep -vxF "$name" "$apps" >"$apps.new" || true; mv "$apps.new" "$apps"' : 'exit 0'} ;;
esac`;
  const run = (cascade: boolean, apps: string[], deadlineSeconds = 10) =>
    runAdapterScript({
      script: join(__dirname, 'scripts', 'teardown', 'delete-apps.sh'),
      context,
      privateFiles: { kubeconfig: 'apiVersion: v1\n' },
      deadlineSeconds,
      tools: { kubectl: `[[ -e $HOME/apps ]] || printf '%s\\n' ${apps.map((a) => `'${a}'`).join(' ')} >$HOME/apps\n${kubectl(cascade)}` },
    });

  it("the root app first: every app gets Argo CD's cascading finalizer (others kept) and loses automated sync, then is deleted", async () => {
    const r = await run(true, ['crossplane', 'demo-root']);
    expect(r.code, r.stderr).toBe(0);
    const patches = r.calls.filter((c) => c.includes(' patch '));
    expect(patches.map((c) => c.split(' ')[5])).toEqual(['demo-root', 'crossplane']);
    expect(patches[0]).toContain('{"metadata":{"finalizers":["other","resources-finalizer.argocd.argoproj.io"]},"spec":{"syncPolicy":{"automated":null}}}');
    expect(r.calls.filter((c) => c.includes(' delete ')).map((c) => c.split(' ')[5])).toEqual(['demo-root', 'crossplane']);
    expect(r.stdout).toContain('deleted the applications and what they deployed: demo-root crossplane');
  });

  it('applications that stay (finalizer not done) end the step at its deadline with an ERROR naming them', async () => {
    const r = await run(false, ['demo-root'], 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: applications still there: demo-root - Argo CD has not finished deleting their resources');
  });

  it('a cluster whose API does not answer is passed over with a WARNING', async () => {
    const r = await runAdapterScript({
      script: join(__dirname, 'scripts', 'teardown', 'delete-apps.sh'),
      context,
      privateFiles: { kubeconfig: 'apiVersion: v1\n' },
      tools: { kubectl: 'echo "dial tcp: connection refused" >&2; exit 1' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("WARNING: the cluster's API does not answer");
    expect(r.calls.filter((c) => !c.includes('/readyz'))).toEqual([]);
  });
});

describe('argocd version changes', () => {
  const components = { deployments: ['argocd-server'], statefulsets: ['argocd-application-controller'] };
  /** kubectl whose argocd-server runs image tag $HOME/tag (v3.2.12 at first); apply sets it to v3.2.13. */
  const kubectl = (applied: string) => `tag=$(cat "$HOME/tag" 2>/dev/null || echo v3.2.12)
case "$*" in
  *"get deployment argocd-server -o json"*) echo '{"spec":{"template":{"spec":{"containers":[{"name":"argocd-server","image":"quay.io/argoproj/argocd:'"$tag"'"}]}}}}' ;;
  *"apply --server-side"*"-k"*) echo ${applied} >"$HOME/tag" ;;
  *"get crd"*) echo '{"status":{"conditions":[{"type":"Established","status":"True"}]}}' ;;
  *) exit 0 ;;
esac`;
  const install = (version: string) =>
    runAdapterScript({
      script: join(__dirname, 'scripts', 'bootstrap', 'install.sh'),
      context: { namespace: 'argocd', kustomization: 'argocd/install', version, components },
      env: { ZTC_GENERATED_DIR: '/nonexistent' },
      tools: { kubectl: kubectl(version) },
    });

  it('v3.2.12 → v3.2.13: server-side apply with conflicts forced, then every component rolled out at the new version', async () => {
    const r = await install('v3.2.13');
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toContain('kubectl apply --server-side --force-conflicts --field-manager=ztc -k /nonexistent/argocd/install');
    const rollouts = r.calls.filter((c) => c.includes('rollout status')).map((c) => c.split(' ')[5]);
    expect(rollouts).toEqual(['deployment/argocd-server', 'statefulset/argocd-application-controller']);
    expect(r.stdout).toContain('upgrading Argo CD v3.2.12 -> v3.2.13');
    expect(r.stdout).toContain('Argo CD upgraded to v3.2.13 in argocd');
  });

  it('the same version applied again waits for no rollout', async () => {
    const r = await install('v3.2.12');
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c.includes('rollout status'))).toEqual([]);
  });

  it('validation: argocd-server at another version than platform.yaml asks is an ERROR saying what to run', async () => {
    const r = await runAdapterScript({
      script: join(__dirname, 'scripts', 'validation', 'validate.sh'),
      context: { namespace: 'argocd', version: 'v3.2.13', root_app: 'root', components: { deployments: [], statefulsets: [] }, sops_config_state_file: 'ksops/.sops.yaml' },
      tools: { kubectl: kubectl('v3.2.12') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: argocd-server runs v3.2.12 (image quay.io/argoproj/argocd:v3.2.12), platform.yaml asks for v3.2.13');
  });
});
