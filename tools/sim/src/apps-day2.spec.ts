/**
 * Cilium, Argo CD and Crossplane on day 2, in one simulated world kept across runs: a Cilium minor upgrade
 * (1.18.5 → 1.19.6, the second vendored chart) goes through helm with upgradeCompatibility=1.18 and the
 * agents then run 1.19.6, which validation checks; then ztc destroy's app teardown deletes the Crossplane
 * and Argo CD applications with what they deployed, Argo CD's namespace and the Cilium release, and keeps
 * the Age key backup (a purge step).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorld, workspaceCopyKept, worldDirKept } from './testing';

describe('apps on day 2: one world across runs', { timeout: 600_000 }, () => {
  const world = worldDirKept('ztc-apps-day2-world-');
  const ws = workspaceCopyKept();
  const platformFile = join(ws, 'platforms/example/platform.yaml');
  const open = () => openWorld({ world, workspace: ws });

  it('day 1 at Cilium 1.18.5, then 1.19.6: helm upgrade with upgradeCompatibility=1.18, the agents run v1.19.6, validation passes', async () => {
    const sim = await open();
    const day1 = await sim.ztc(['bootstrap', 'example']);
    expect(day1.code, day1.stdout.slice(-3000)).toBe(0);

    writeFileSync(platformFile, readFileSync(platformFile, 'utf8').replace('version: v1.18.5', 'version: v1.19.6'));
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const before = sim.world.calls.length;
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const helm = sim.world.calls.slice(before).filter((c) => c.tool === 'helm' && c.argv[0] === 'upgrade');
    expect(helm).toHaveLength(1);
    expect(helm[0]!.argv.join(' ')).toContain('--version 1.19.6');
    expect(helm[0]!.argv.join(' ')).toContain('--set upgradeCompatibility=1.18');
    expect(sim.status().helm.find((h) => h.release === 'cilium')).toMatchObject({ version: '1.19.6', status: 'deployed', revision: 2 });
    const ds = sim.world.cluster.objects.get('DaemonSet/kube-system/cilium')!;
    expect(ds.spec.template.spec.containers[0].image).toBe('quay.io/cilium/cilium:v1.19.6');
    expect(r.stdout).toContain('[cilium/validate] Cilium agents run v1.19.6');
    await sim.close();
  });

  it('Argo CD v3.2.12 → v3.2.13 and Crossplane 2.0.8 → 2.0.9: applied as upgrades, waited for, and validation sees both running', async () => {
    const sim = await open();
    writeFileSync(platformFile, readFileSync(platformFile, 'utf8').replace('version: v3.2.12', 'version: v3.2.13').replace('version: 2.0.8', 'version: 2.0.9'));
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toContain('[argocd/install] upgrading Argo CD v3.2.12 -> v3.2.13');
    expect(r.stdout).toContain('[argocd/install] Argo CD upgraded to v3.2.13 in argocd');
    expect(r.stdout).toContain('[argocd/validate] Argo CD runs v3.2.13');
    expect(r.stdout).toContain('[crossplane/validate] Crossplane runs v2.0.9');
    const image = (kind: string, key: string) => sim.world.cluster.objects.get(`${kind}/${key}`)!.spec.template.spec.containers[0].image as string;
    expect(image('Deployment', 'argocd/argocd-server')).toBe('quay.io/argoproj/argocd:v3.2.13');
    expect(image('Deployment', 'crossplane-system/crossplane')).toBe('xpkg.crossplane.io/crossplane/crossplane:v2.0.9');
    await sim.close();
  });

  it('ztc destroy: Crossplane releases its resources and its applications go, then every Argo CD application with what it deployed, Argo CD and the Cilium release; the key backup is kept', async () => {
    const sim = await open();
    const before = sim.world.calls.length;
    const r = await sim.ztc(['destroy', 'example', '--confirm', 'example']);
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-4000)).toBe(0);
    const deletes = sim.world.calls
      .slice(before)
      .filter((c) => c.tool === 'kubectl' && c.argv.includes('delete'))
      .map((c) =>
        c.argv
          .filter((a) => !a.startsWith('-'))
          .slice(-2)
          .join(' '),
      );
    expect(deletes.slice(0, 4)).toEqual(['applications.argoproj.io crossplane-providers', 'applications.argoproj.io crossplane', 'application example-root', 'namespace argocd']);
    expect(out).toContain("[crossplane/release-resources] Crossplane's resources released; Crossplane and its providers removed");
    expect(out).toContain('[argocd/delete-apps] deleted the applications and what they deployed: example-root');
    expect(out).toContain('[argocd/uninstall] Argo CD uninstalled (namespace argocd deleted)');
    expect(out).toContain('[cilium/uninstall] Cilium (kube-system/cilium) uninstalled');
    expect(out).toContain('[ksops/purge-key-backup] skipped: purge step');
    await sim.close();
  });

  it('destroy again with --purge-private: the gone cluster is passed over with WARNINGs (Crossplane: released before, in this cluster), and the Age key backup is deleted from S3', async () => {
    const sim = await open();
    const key = 'ztc/acme/acme-platform/example/age.key';
    expect(sim.world.s3.buckets.get('acme-platform-secrets')?.has(key)).toBe(true);
    const r = await sim.ztc(['destroy', 'example', '--confirm', 'example', '--purge-private']);
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-4000)).toBe(0);
    const warned = (step: string) => new RegExp(`\\[${step}\\] (stderr: )?WARNING: the cluster's API does not answer`);
    expect(out).toMatch(warned('crossplane/release-resources'));
    expect(out).toContain("an earlier run of destroy released Crossplane's resources in this cluster");
    for (const step of ['argocd/delete-apps', 'argocd/uninstall', 'cilium/uninstall', 'ksops/delete-age-secret']) expect(out).toMatch(warned(step));
    expect(out).toContain(`[ksops/purge-key-backup] deleted the Age key backup s3://acme-platform-secrets/${key}`);
    expect(sim.world.s3.buckets.get('acme-platform-secrets')?.has(key)).toBe(false);
    await sim.close();
  });
});
