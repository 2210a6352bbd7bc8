/**
 * crossplane's teardown decisions, with a stand-in kubectl: managed resources (found by their CRDs'
 * category) are deleted and waited for before the Crossplane applications go; a cluster whose API does not
 * answer is an ERROR (the external resources may still exist) unless an earlier run released them in this
 * very cluster. The whole flow against faithful tools is the simulation's (tools/sim).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const script = join(__dirname, 'scripts', 'teardown', 'release-resources.sh');
const context = { gitops_namespace: 'argocd', applications: ['crossplane-providers', 'crossplane'], providers: ['provider-kubernetes'] };

/**
 * A cluster with one managed resource (objects.kubernetes.crossplane.io "db") that delete removes once the
 * application team-db (the operator's, from git: no ztc.dev/platform label) no longer syncs automatically;
 * apps go when deleted.
 */
const cluster = `s=$HOME/cluster; mkdir -p "$s"
[[ -e $s/init ]] || { touch "$s/init" "$s/mr-db" "$s/app-crossplane" "$s/app-crossplane-providers"; }
case "$*" in
  "get --raw /readyz"*) exit 0 ;;
  "get crd applications.argoproj.io"|"get crd providers.pkg.crossplane.io") exit 0 ;;
  "get crd -o json") echo '{"items":[{"metadata":{"name":"objects.kubernetes.crossplane.io"},"spec":{"names":{"categories":["crossplane","managed"]}}},{"metadata":{"name":"providerconfigs.kubernetes.crossplane.io"},"spec":{"names":{"categories":["crossplane","provider"]}}}]}' ;;
  "get objects.kubernetes.crossplane.io --all-namespaces -o json") [[ -e $s/mr-db ]] && echo '{"items":[{"metadata":{"name":"db"}}]}' || echo '{"items":[]}' ;;
  *"get applications.argoproj.io -o json"*) echo '{"items":[{"metadata":{"name":"demo-root"}},{"metadata":{"name":"crossplane"}},{"metadata":{"name":"team-db"}}]}' ;;
  *"get applications.argoproj.io "*) [[ -e $s/app-$5 ]] && echo '{"metadata":{"name":"'$5'"}}' || { echo "Error from server (NotFound): applications.argoproj.io \\"$5\\" not found" >&2; exit 1; } ;;
  *"delete objects.kubernetes.crossplane.io db"*) if [[ -e $s/off-team-db ]]; then rm -f "$s/mr-db"; fi ;; # else team-db (auto-sync, self-heal) brings it back
  *"delete applications.argoproj.io"*) [[ ! -e $s/mr-db ]] || { echo "deleted an application before its managed resources" >&2; exit 1; }; rm -f "$s/app-$5" ;;
  *patch*) [[ $3 != patch ]] || touch "$s/off-$5" ;;
  *) echo "unexpected kubectl $*" >&2; exit 1 ;;
esac`;

describe('crossplane/release-resources (teardown)', () => {
  it('auto-sync off for every application (the operator’s too: one would re-create what is deleted), managed resources deleted and waited for, then the providers app and Crossplane app (cascading)', async () => {
    const r = await runAdapterScript({ script, context, deadlineSeconds: 20, privateFiles: { kubeconfig: 'apiVersion: v1\n' }, tools: { kubectl: cluster } });
    expect(r.code, r.stderr).toBe(0);
    const verbs = r.calls
      .filter((c) => / (patch|delete) /.test(c))
      .map((c) =>
        c
          .replace(/^kubectl (--namespace argocd )?/, '')
          .split(' ')
          .slice(0, 3)
          .join(' '),
      );
    expect(verbs).toEqual([
      'patch applications.argoproj.io demo-root',
      'patch applications.argoproj.io crossplane',
      'patch applications.argoproj.io team-db',
      'delete objects.kubernetes.crossplane.io db',
      'patch applications.argoproj.io crossplane-providers',
      'delete applications.argoproj.io crossplane-providers',
      'patch applications.argoproj.io crossplane',
      'delete applications.argoproj.io crossplane',
    ]);
    expect(r.calls.find((c) => c.includes('patch applications.argoproj.io crossplane-providers'))).toContain('resources-finalizer.argocd.argoproj.io');
    expect(r.stdout).toContain('deleting 1 managed resource(s): objects.kubernetes.crossplane.io/db');
  });

  it('a cluster whose API does not answer, with nothing released before: ERROR naming the providers and what to do', async () => {
    const r = await runAdapterScript({ script, context, privateFiles: { kubeconfig: 'apiVersion: v1\n' }, tools: { kubectl: 'exit 1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('so Crossplane cannot release the external resources its managed resources hold (providers: provider-kubernetes)');
    expect(r.stderr).toContain("delete those resources in the providers' accounts by hand");
  });

  it('the same cluster gone after a run that released its resources: a WARNING, nothing to do; another cluster: the ERROR', async () => {
    // A kubeconfig as talosctl writes it: the cluster's CA (public) and the admin's client key (secret).
    const kubeconfigOf = (ca: string) =>
      `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${ca}\n    server: https://203.0.113.10:6443\n  name: prod\nusers:\n- name: admin@prod\n  user:\n    client-key-data: U0VDUkVULUtFWQ==\n`;
    const kubeconfig = kubeconfigOf('Q0EtT05F');
    const first = await runAdapterScript({ script, context, privateFiles: { kubeconfig }, tools: { kubectl: cluster } });
    expect(first.code, first.stderr).toBe(0);
    // What is recorded names the cluster by its CA; no digest of the kubeconfig (its client key) reaches the state dir.
    const recorded = createHash('sha256').update('Q0EtT05F').digest('hex');
    expect(first.state['crossplane/released']).toBe(`${recorded}\n`);
    expect(first.state['crossplane/released']).not.toContain(createHash('sha256').update(kubeconfig).digest('hex'));
    const gone = (kc: string) =>
      runAdapterScript({ script, context, privateFiles: { kubeconfig: kc }, stateFiles: { 'crossplane/released': `${recorded}\n` }, tools: { kubectl: 'exit 1' } });
    const again = await gone(kubeconfig);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("WARNING: the cluster's API does not answer");
    expect(again.stderr).toContain("an earlier run of destroy released Crossplane's resources in this cluster");
    const other = await gone(kubeconfigOf('Q0EtVFdP'));
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('so Crossplane cannot release the external resources');
  });
});

describe('crossplane version changes', () => {
  const ctx = { namespace: 'crossplane-system', version: '2.0.9', providers: [] };
  /** kubectl whose deployment/crossplane runs image tag $HOME/tag (v2.0.8 until `flip` calls, then v2.0.9). */
  const kubectl = (flipAfter: number) => `n=$(($(wc -l <"$HOME/n" 2>/dev/null || echo 0))); echo x >>"$HOME/n"
tag=v2.0.8; ((n < ${flipAfter})) || tag=v2.0.9
case "$*" in
  *"get deployment crossplane -o json"*) echo '{"spec":{"template":{"spec":{"containers":[{"name":"crossplane","image":"xpkg.crossplane.io/crossplane/crossplane:'"$tag"'"}]}}}}' ;;
  *"get providers"*) echo '{"items":[]}' ;;
  *) exit 0 ;;
esac`;

  it('wait: the old version rolled out is not done; it waits until Argo CD has upgraded Crossplane to the configured version', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'post-work', 'wait.sh'), context: ctx, tools: { kubectl: kubectl(4) } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls.filter((c) => c.includes('get deployment crossplane')).length).toBeGreaterThanOrEqual(4);
  });

  it('wait: never upgraded within the deadline is an ERROR naming what runs', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'post-work', 'wait.sh'), context: ctx, deadlineSeconds: 2, tools: { kubectl: kubectl(1e9) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: Crossplane v2.0.9 did not come up in crossplane-system (running: v2.0.8)');
  });

  it('validate: Crossplane at another version than platform.yaml asks is an ERROR', async () => {
    const r = await runAdapterScript({ script: join(__dirname, 'scripts', 'validation', 'validate.sh'), context: ctx, tools: { kubectl: kubectl(1e9) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: Crossplane runs v2.0.8 (image xpkg.crossplane.io/crossplane/crossplane:v2.0.8), platform.yaml asks for v2.0.9');
  });
});
