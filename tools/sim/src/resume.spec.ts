/**
 * A bootstrap killed half-way through a step resumes at that step: the steps before it are skipped by
 * their receipts, and the interrupted step finds the nodes it already handled and does not redo them.
 */
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calls, simFor, startedSteps } from './testing';

const receipt = (workspace: string, stage: string, step: string) => join(workspace, 'platforms/example/.ztc/receipts', stage, `${step.replace('/', '.')}.json`);

// Whole simulated bootstraps: seconds each, more on a loaded machine.
describe('a bootstrap interrupted in the middle of a step', { timeout: 180_000 }, () => {
  it("SIGTERM: stops the step's processes, writes no receipt for it, and the next run resumes there without redoing a joined node", async () => {
    const sim = await simFor();
    const killed = await sim.ztc(['bootstrap', 'example'], {
      kill: { when: (line) => line.includes('[talos/join-workers] worker-1 (203.0.113.11): joined the cluster'), signal: 'SIGTERM' },
    });
    expect(killed.code).toBe(143);
    expect(killed.stderr).toContain('bootstrap interrupted by SIGTERM during step talos/join-workers');
    expect(existsSync(receipt(sim.workspace, 'bootstrap', 'talos/kubeconfig'))).toBe(true);
    expect(existsSync(receipt(sim.workspace, 'bootstrap', 'talos/join-workers'))).toBe(false);
    expect(sim.leftoverProcesses()).toEqual([]);
    expect(readdirSync(sim.tmpDir)).toEqual([]);

    const before = sim.world.calls.length;
    const resumed = await sim.ztc(['bootstrap', 'example']);
    expect(resumed.code).toBe(0);
    expect(
      startedSteps(resumed.stdout)
        .filter((s) => !s.endsWith('/check-health'))
        .slice(0, 2),
    ).toEqual(['talos/join-workers', 'talos/remove-nodes']);
    const worker1 = calls(sim, (c) => c.seq > before && c.node === '203.0.113.11' && c.tool === 'talosctl');
    // Configured already (asked in pre-flight and again by the step): a dry run shows no change, so nothing
    // is applied (no insecure apply, no reboot); the version the node reports is recorded.
    expect(worker1).toEqual([
      'talos/check-health | talosctl --nodes 203.0.113.11 version',
      'talos/join-workers | talosctl --nodes 203.0.113.11 version',
      'talos/join-workers | talosctl --nodes 203.0.113.11 apply-config --file $ZTC_PRIVATE_DIR/talos/nodes/worker-1.yaml --dry-run',
      'talos/join-workers | talosctl --nodes 203.0.113.11 version',
      'talos/validate-cluster | talosctl --nodes 203.0.113.11 version',
    ]);
    expect(resumed.stdout).toContain('worker-1 (203.0.113.11): config unchanged');
    expect(sim.world.cluster.nodes().filter((n) => n.ready)).toHaveLength(3);
  });

  it('SIGKILL: the next run stops what the dead run left behind, then resumes at the killed step', async () => {
    const sim = await simFor();
    const killed = await sim.ztc(['bootstrap', 'example'], {
      kill: { when: (line) => line.includes('[talos/install-image] worker-1 (203.0.113.11): writing'), signal: 'SIGKILL' },
    });
    expect(killed.code).toBe(137);
    const resumed = await sim.ztc(['bootstrap', 'example']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/removed \d stale ztc-secure-\* dir/);
    expect(
      startedSteps(resumed.stdout)
        .filter((s) => !s.endsWith('/check-health'))
        .slice(0, 2),
    ).toEqual(['talos/install-image', 'talos/upgrade-os']);
    expect(resumed.stdout).toContain('cp-1 (203.0.113.10): already runs Talos');
    // cp-1's disk was written once, by the killed run; the resumed run did not write it again.
    expect(calls(sim, (c) => c.tool === 'dd@rescue' && c.node === '203.0.113.10')).toHaveLength(1);
    expect(sim.leftoverProcesses()).toEqual([]);
    expect(readdirSync(sim.tmpDir)).toEqual([]);
  });

  it('on another machine without the private dir, the run stops in pre-flight (nothing touched) until the private dir is restored, then resumes', async () => {
    const sim = await simFor();
    for (const stage of ['pre-work', 'bootstrap']) expect((await sim.ztc(['bootstrap', 'example', '--stage', stage])).code).toBe(0);
    // The other machine has the receipts and the state dir (the Nx cache brings them), not the private dir.
    const original = sim.env.ZTC_PRIVATE_DIR!;
    sim.env.ZTC_PRIVATE_DIR = join(sim.root, 'other-machine-private');
    // Continuing with the next stage is refused: the receipts' secret digests cannot be checked without the key.
    const stage = await sim.ztc(['bootstrap', 'example', '--stage', 'post-work']);
    expect(stage.code).toBe(3);
    expect(stage.stderr).toContain('cannot run stage post-work: earlier steps are not done');
    expect(stage.stderr).toContain('argocd/admin-password (bootstrap): changed (secret digest key missing from the private dir');
    // A whole run stops in pre-flight: the nodes run a cluster this private dir has no credentials for.
    const before = sim.world.calls.length;
    const missing = await sim.ztc(['bootstrap', 'example']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('pre-flight check talos/check-health failed');
    expect(missing.stdout).toContain('ERROR: 3 node(s) already run a configured Talos cluster, but the private dir');
    expect(missing.stdout).toContain(
      'lacks talos/talosconfig talos/secrets.yaml: nothing was touched, and no new cluster secrets were made. Restore the private dir from its backup',
    );
    // Only the pre-flight checks up to the failing one asked anything; no step ran.
    expect(new Set(sim.world.calls.slice(before).map((c) => c.step))).toEqual(new Set(['github/check-health', 'hetzner/check-health', 'talos/check-health']));
    // Restoring the backup of the private dir (docs/bootstrap.md) lets the run continue where it stopped.
    cpSync(original, sim.env.ZTC_PRIVATE_DIR, { recursive: true });
    const restored = await sim.ztc(['bootstrap', 'example']);
    expect(restored.code).toBe(0);
    expect(startedSteps(restored.stdout).filter((s) => !s.endsWith('/check-health'))[0]).toBe('cilium/install');
  });
});
