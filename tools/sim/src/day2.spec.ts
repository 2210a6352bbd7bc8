/**
 * Day 2 in one simulated world kept across runs (issue 17): after a day-1 bootstrap of the example, the runs an
 * operator makes later, from other checkouts, against the same servers, disks, etcd and cluster. Each case
 * here was a real failure before the scripts asked the live system: a checkout without `.ztc/` rebooted and
 * rewrote every server, a stale machine fact blocked a recycled server forever, a rotated secret was never
 * applied, a missing private dir let bootstrap make new cluster secrets, and two checkouts could bootstrap
 * one platform at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../ztc/testing/temp-workspace';
import { copyWorkspace } from './session';
import { openWorld, startedSteps } from './testing';

const STEPS_NOT_VALIDATION = (stdout: string) => startedSteps(stdout).filter((s) => !s.endsWith('/check-health') && !/\/(validate|validate-cluster|round-trip)$/.test(s));

const temps: string[] = [];
function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A checkout of its own: the repository's workspace for the example, without `.ztc/`. */
function checkout(): string {
  const dir = temp('ztc-day2-checkout-');
  copyWorkspace(REPO_ROOT, dir, 'example');
  return dir;
}

const ztcBin = join(REPO_ROOT, 'tools', 'ztc', 'bin', 'ztc.js');

/** `ztc <args>` in `cwd` with `env`, outside the session's own runner (a second checkout at the same time). */
function ztcIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ztcBin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, ...out }));
  });
}

function editPlatform(dir: string, edit: (yaml: string) => string): void {
  const file = join(dir, 'platforms', 'example', 'platform.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

describe('day 2: one world, many runs, several checkouts', { timeout: 300_000 }, () => {
  const world = temp('ztc-day2-world-');
  const first = checkout();
  const second = checkout();

  it('day 1: the example bootstraps from bare servers', async () => {
    const sim = await openWorld({ world, workspace: first });
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stderr).toBe(0);
    const s = sim.status();
    // Two writes per server: the disk image (dd from rescue), then the Talos installer run by the first config.
    expect(s.last_run).toEqual({ disks_written: 6, rescue_boots: 3, resets: 3, upgrades: 0 });
    expect(s.kubernetes.nodes.map((n) => `${n.name} ${n.ready}`)).toEqual(['cp-1 true', 'worker-1 true', 'worker-2 true']);
    await sim.close();
  });

  it('a checkout without .ztc/ on the healthy cluster: nothing rebooted, no disk written, exit 0', async () => {
    const sim = await openWorld({ world, workspace: second });
    expect(existsSync(join(second, 'platforms', 'example', '.ztc'))).toBe(false);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.status().last_run).toEqual({ disks_written: 0, rescue_boots: 0, resets: 0, upgrades: 0 });
    expect(sim.world.calls.filter((c) => c.tool === 'hcloud-api' && c.argv[0] === 'POST' && c.argv[1]!.includes('/actions/'))).toEqual([]);
    for (const ip of ['203.0.113.10', '203.0.113.11', '203.0.113.12']) {
      expect(r.stdout).toMatch(
        new RegExp(`\\[hetzner/rescue\\] ${ip.replace(/\./g, '\\.')} \\(ztc-sim-\\d\\): refuses SSH, so it runs an installed OS without sshd \\(Talos runs none\\): not rebooted`),
      );
    }
    expect(r.stdout).toContain('[talos/install-image] cp-1 (203.0.113.10): already runs Talos as a node of this cluster; disk not written');
    expect(r.stdout).toContain('[talos/bootstrap-etcd] etcd already exists on cp-1 (203.0.113.10): not bootstrapped again');
    // The machine facts of this checkout were written from the nodes' own answers.
    expect(JSON.parse(readFileSync(join(second, 'platforms/example/.ztc/state/machines/203.0.113.11.json'), 'utf8'))).toEqual({ os: 'talos', version: 'v1.11.5' });
    expect(sim.status().kubernetes.nodes.every((n) => n.ready)).toBe(true);
    await sim.close();
  });

  it('a rotated ARGOCD_ADMIN_PASSWORD: plan names it, only the step that receives it runs, and the new password works', async () => {
    const sim = await openWorld({ world, workspace: second });
    const rotated = 'Rotated-Admin-Password-2026';
    const old = sim.world.adminPassword;
    expect(sim.world.argocdPasswordWorks(old)).toBe(true);
    const plan = await sim.ztc(['plan', 'example', '--json'], { env: { ARGOCD_ADMIN_PASSWORD: rotated } });
    const doc = JSON.parse(plan.stdout) as { steps: { step: string; status: string; changes?: unknown[] }[] };
    const changed = doc.steps.filter((s) => s.status === 'changed');
    expect(changed.map((s) => s.step)).toEqual(['argocd/admin-password']);
    expect(JSON.stringify(changed[0]!.changes)).toContain('ARGOCD_ADMIN_PASSWORD');
    expect(plan.stdout + plan.stderr).not.toContain(rotated);

    const r = await sim.ztc(['bootstrap', 'example'], { env: { ARGOCD_ADMIN_PASSWORD: rotated } });
    expect(r.code, r.stderr).toBe(0);
    expect(STEPS_NOT_VALIDATION(r.stdout)).toEqual(['argocd/admin-password']);
    expect(r.stdout).toContain('admin password set (bcrypt)');
    expect(r.stdout + r.stderr).not.toContain(rotated);
    expect(sim.world.argocdPasswordWorks(rotated)).toBe(true);
    expect(sim.world.argocdPasswordWorks(old)).toBe(false);
    const again = await sim.ztc(['plan', 'example', '--json', '--detailed-exitcode'], { env: { ARGOCD_ADMIN_PASSWORD: rotated } });
    expect(again.code).toBe(0);
    await sim.close();
  });

  it('a stale machine fact and a recycled server: the fact is corrected and said, and the server joins', async () => {
    // worker-2 leaves the platform (it is removed: reset, its machine fact cleared); its server is later
    // recycled with a stock OS and added again. This checkout holds worker-2's machine fact from before
    // (restored from a copy of .ztc/ made before the removal): a stale one.
    const original = readFileSync(join(second, 'platforms/example/platform.yaml'), 'utf8');
    const fact = join(second, 'platforms/example/.ztc/state/machines/203.0.113.12.json');
    expect(existsSync(fact)).toBe(true);
    const stale = readFileSync(fact);
    let sim = await openWorld({ world, workspace: second });
    editPlatform(second, (y) => y.replace(', 203.0.113.12]', ']').replace(/\n\s+- \{ name: worker-2[^\n]*/, ''));
    expect(readFileSync(join(second, 'platforms/example/platform.yaml'), 'utf8')).not.toContain('203.0.113.12');
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    expect((await sim.ztc(['bootstrap', 'example'])).code).toBe(0);
    expect(existsSync(fact)).toBe(false);
    writeFileSync(fact, stale);
    sim.world.recycleServer('203.0.113.12');
    await sim.close();

    sim = await openWorld({ world, workspace: second });
    writeFileSync(join(second, 'platforms/example/platform.yaml'), original);
    expect((await sim.ztc(['render', 'example'])).code).toBe(0);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toContain("[hetzner/rescue] 203.0.113.12 (ztc-sim-3): answers SSH but not with the platform's key");
    expect(r.stdout).toMatch(
      /\[talos\/install-image\] WARNING: worker-2 \(203\.0\.113\.12\): the local record .* says it runs Talos, but it does not answer the Talos API: the record is stale and was removed|worker-2 \(203\.0\.113\.12\): the local record .* is stale and was removed/,
    );
    expect(sim.status().last_run).toEqual({ disks_written: 2, rescue_boots: 1, resets: 1, upgrades: 0 });
    expect(sim.status().kubernetes.nodes.map((n) => `${n.name} ${n.ready}`)).toEqual(['cp-1 true', 'worker-1 true', 'worker-2 true']);
    expect(JSON.parse(readFileSync(join(second, 'platforms/example/.ztc/state/machines/203.0.113.12.json'), 'utf8'))).toEqual({ os: 'talos', version: 'v1.11.5' });
    await sim.close();
  });

  it('a server reinstalled under unchanged receipts: validation names it and the safe fix; --fresh touches only that server', async () => {
    const sim = await openWorld({ world, workspace: second });
    sim.world.recycleServer('203.0.113.11');
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ERROR: configured nodes do not run this cluster's Talos: worker-1 (203.0.113.11): none");
    expect(r.stdout).toContain('run "ztc bootstrap example --fresh": every step asks the machines what they run and redoes only what is missing');
    const before = sim.world.calls.length;
    const fresh = await sim.ztc(['bootstrap', 'example', '--fresh']);
    expect(fresh.code, fresh.stdout.slice(-3000)).toBe(0);
    expect(sim.status().last_run).toEqual({ disks_written: 2, rescue_boots: 1, resets: 1, upgrades: 0 });
    const made = sim.world.calls.slice(before);
    expect([...new Set(made.filter((c) => c.tool === 'dd@rescue').map((c) => c.node))]).toEqual(['203.0.113.11']);
    expect(made.filter((c) => c.tool === 'hcloud-api' && c.argv[0] === 'POST' && c.argv[1]!.includes('/actions/')).map((c) => c.argv[1])).toEqual([
      '/v1/servers/4202/actions/enable_rescue',
      '/v1/servers/4202/actions/reset',
    ]);
    expect(sim.status().kubernetes.nodes.map((n) => `${n.name} ${n.ready}`)).toEqual(['cp-1 true', 'worker-1 true', 'worker-2 true']);
    await sim.close();
  });

  it('a powered-off node is powered on from its own disk by --fresh, never sent to rescue: no disk written', async () => {
    const sim = await openWorld({ world, workspace: second });
    sim.world.powerOff('203.0.113.12');
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ERROR: configured nodes do not run this cluster's Talos: worker-2 (203.0.113.12): none");
    const before = sim.world.calls.length;
    const fresh = await sim.ztc(['bootstrap', 'example', '--fresh']);
    expect(fresh.code, fresh.stdout.slice(-3000)).toBe(0);
    expect(fresh.stdout).toContain('[hetzner/rescue] 203.0.113.12 (ztc-sim-3): powered off; powering it on from its own disk to see what it runs');
    expect(fresh.stdout).toContain('[hetzner/rescue] 203.0.113.12 (ztc-sim-3): refuses SSH, so it runs an installed OS without sshd (Talos runs none): not rebooted');
    expect(sim.status().last_run).toEqual({ disks_written: 0, rescue_boots: 0, resets: 0, upgrades: 0 });
    const actions = sim.world.calls.slice(before).filter((c) => c.tool === 'hcloud-api' && c.argv[0] === 'POST' && c.argv[1]!.includes('/actions/'));
    expect(actions.map((c) => c.argv[1])).toEqual(['/v1/servers/4203/actions/poweron']);
    expect(sim.status().kubernetes.nodes.map((n) => `${n.name} ${n.ready}`)).toEqual(['cp-1 true', 'worker-1 true', 'worker-2 true']);
    await sim.close();
  });

  it('the private dir missing on a live cluster: stops in pre-flight, before any server is touched', async () => {
    const third = checkout();
    const sim = await openWorld({ world, workspace: third, privateDir: temp('ztc-day2-empty-private-') });
    const before = sim.world.calls.length;
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('already run a configured Talos cluster, but the private dir');
    expect(r.stdout).toContain('Restore the private dir from its backup');
    const made = sim.world.calls.slice(before);
    expect(new Set(made.map((c) => c.step))).toEqual(new Set(['github/check-health', 'hetzner/check-health', 'talos/check-health']));
    expect(made.filter((c) => c.tool === 'talosctl' && c.argv[0] !== 'version' && !c.argv.includes('version'))).toEqual([]);
    expect(sim.status().last_run).toEqual({ disks_written: 0, rescue_boots: 0, resets: 0, upgrades: 0 });
    await sim.close();
  });

  it('with the s3 state backend, a second checkout is refused while one runs, naming the holder; then it sees the steps done', async () => {
    const a = checkout();
    const b = checkout();
    const sim = await openWorld({ world, workspace: a });
    sim.world.s3.buckets.set('acme-ztc-state', new Map());
    const state = '\nstate:\n  backend: s3\n  bucket: acme-ztc-state\n  region: fsn1\n';
    for (const dir of [a, b]) {
      editPlatform(dir, (y) => `${y.trimEnd()}\n${state}`);
      expect((await ztcIn(dir, ['render', 'example'], sim.env)).code).toBe(0);
    }
    const env = { ...sim.env, ZTC_STATE_S3_ACCESS_KEY: sim.world.s3.accessKey, ZTC_STATE_S3_SECRET_KEY: sim.world.s3.secretKey };
    sim.env.ZTC_STATE_S3_ACCESS_KEY = env.ZTC_STATE_S3_ACCESS_KEY;
    sim.env.ZTC_STATE_S3_SECRET_KEY = env.ZTC_STATE_S3_SECRET_KEY;
    let second: Promise<{ code: number; stdout: string; stderr: string }> | undefined;
    const running = sim.ztc(['bootstrap', 'example'], {
      onLine: (line) => {
        if (!second && line.includes('[talos/install-image] start')) second = ztcIn(b, ['bootstrap', 'example'], env);
      },
    });
    const firstRun = await running;
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(second).toBeDefined();
    const refused = await second!;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/another bootstrap of example is running: .*\(pid \d+\) since \d{4}-\d\d-\d\dT/);
    const plan = await ztcIn(b, ['plan', 'example', '--json'], env);
    const steps = (JSON.parse(plan.stdout) as { steps: { stage: string; status: string }[] }).steps;
    expect(steps.filter((s) => s.stage !== 'validation' && s.stage !== 'preflight').every((s) => s.status === 'done')).toBe(true);
    await sim.close();
  });
});
