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
