/**
 * Failure scenarios in the simulated datacenter: each ends with the documented exit code, names the
 * step, says what to do, and leaves no process and no temp dir behind.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './scenarios';
import type { Sim, SimOptions } from './session';
import { editAndRender, simFor, startedSteps } from './testing';
import type { Timing } from './world/world';

/**
 * The world's clock for these specs: simulated actions, boots and rollouts take milliseconds instead of
 * DEFAULT_TIMING's hundreds, so a run waits on the scripts' polls and its processes, not on the world.
 * Every wait still happens (each check asks the world's state); no assertion depends on how long it takes.
 */
const FAST: Partial<Timing> = { actionMs: 10, bootMs: 20, installMs: 20, etcdMs: 10, apiMs: 10, registerMs: 10, cniMs: 20, workloadMs: 10, providerMs: 20 };

/** A session on the fast clock. */
const fastSim = (opts: Partial<SimOptions> = {}): Promise<Sim> => simFor({ timing: FAST, ...opts });

/** A session with one of `npm run sim --scenario`'s failures applied, as an operator would get it. */
async function withScenario(name: string): Promise<Sim> {
  const sim = await fastSim();
  SCENARIOS[name]!.apply(sim);
  return sim;
}

function expectClean(sim: Sim): void {
  expect(sim.leftoverProcesses()).toEqual([]);
  expect(readdirSync(sim.tmpDir)).toEqual([]);
}

/** The copy's hetzner/rescue step gets a short timeout, so a scenario that waits for it ends quickly. */
const shortRescueTimeout = (seconds: number) => (yaml: string) => yaml.replace(/(file: scripts\/pre-work\/rescue\.sh[\s\S]*?timeout_seconds: )\d+/, `$1${seconds}`);

// Whole simulated bootstraps: seconds each, more on a loaded machine.
describe('failure scenarios', { timeout: 180_000 }, () => {
  it('a wrong HCLOUD_TOKEN stops the run in pre-flight with exit 3 and says which token and what to do', async () => {
    const sim = await fastSim({ env: { HCLOUD_TOKEN: 'Wrong0'.padEnd(64, 'x') } });
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('pre-flight check hetzner/check-health failed (exit 1); nothing was run');
    expect(r.stderr).toContain('ERROR: the Hetzner Cloud API rejected HCLOUD_TOKEN (401 unauthorized): create a Read & Write API token');
    expect(startedSteps(r.stdout)).toEqual(['github/check-health', 'hetzner/check-health']);
    expect(r.stdout + r.stderr).not.toContain('Wrong0');
    expectClean(sim);
  });

  it('a server missing from the project stops the run in pre-flight with exit 3, naming it', async () => {
    const sim = await withScenario('server-missing');
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'ERROR: no server of this Hetzner Cloud project has the public IPv4 address 203.0.113.12. Check hetzner.server_ips in platforms/example/platform.yaml',
    );
    expectClean(sim);
  });

  it('API errors (500, then 429) and slow answers are retried or waited out, and the run recovers', async () => {
    const sim = await fastSim({
      faults: {
        apiErrors: [
          { status: 500, times: 2, match: '/servers' },
          { status: 429, times: 1, retryAfter: 1 },
        ],
        apiDelayMs: 150,
      },
    });
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/servers\?page=1&per_page=50: HTTP 500, retrying in [\d.]+ s \(1\/6\)/);
    expect(r.stdout).toMatch(/HTTP 429, retrying in 1 s/);
    expect(sim.world.machines.every((m) => sim.world.running(m) === 'rescue')).toBe(true);
    expectClean(sim);
  });

  it('a server that never comes back from its reboot: the step gives up before its deadline with an ERROR naming it (exit 1)', async () => {
    const sim = await withScenario('node-never-returns');
    await editAndRender(sim, 'adapters/hetzner/adapter.yaml', shortRescueTimeout(8));
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR: 203.0.113.12 (ztc-sim-3) did not answer over SSH in the rescue system. Open its console in the Hetzner Cloud Console');
    expect(r.stderr).toContain('step hetzner/rescue (pre-work) failed with exit code 1; log: platforms/example/.ztc/logs/pre-work/hetzner.rescue.log');
    expectClean(sim);
  });

  it('a command that hangs is stopped with its whole process group at the step timeout (exit 124)', async () => {
    const sim = await fastSim({ faults: { hangSsh: ['203.0.113.10'] } }); // the first server: the step's first ssh hangs
    await editAndRender(sim, 'adapters/hetzner/adapter.yaml', shortRescueTimeout(3));
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work']);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain('step hetzner/rescue (pre-work) exceeded its timeout of 3 s and was stopped');
    expectClean(sim);
  });

  it('rescue mode not confirmed: the pre-work step refuses before touching a server that would need it, saying how to confirm', async () => {
    const sim = await fastSim();
    await editAndRender(sim, 'platforms/example/platform.yaml', (y) => y.replace('rescue_mode_confirm: true', 'rescue_mode_confirm: false'));
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'ERROR: hetzner.rescue_mode_confirm is not true in platforms/example/platform.yaml, and the servers 203.0.113.10, 203.0.113.11, 203.0.113.12 run no installed OS',
    );
    expect(sim.world.calls.filter((c) => c.tool === 'hcloud-api' && c.argv[0] === 'POST')).toEqual([]);
    expectClean(sim);
  });

  it('the backup bucket missing stops the run in pre-flight with exit 3, naming the bucket and what to do', async () => {
    const sim = await withScenario('bucket-missing');
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('pre-flight check ksops/check-health failed');
    expect(r.stderr).toContain('ERROR: bucket acme-platform-secrets does not exist at http://127.0.0.1:');
    expect(r.stderr).toContain('create it (private) in your object storage, or fix ksops.s3_bucket_name / s3_endpoint in platforms/example/platform.yaml');
    expectClean(sim);
  });

  it("a GitHub App key that is not the App's stops the run in pre-flight with exit 3", async () => {
    const sim = await withScenario('github-key-wrong');
    const other = String(sim.env.GITHUB_APP_PRIVATE_KEY);
    const r = await sim.ztc(['bootstrap', 'example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('pre-flight check github/check-health failed');
    expect(r.stderr).toContain('ERROR: GitHub rejected the JWT of App 123456: GITHUB_APP_PRIVATE_KEY is not a private key of App 123456');
    expect(r.stdout + r.stderr).not.toContain(other.split('\n')[1]);
    expectClean(sim);
  });

  it('the rescue key already in the project under another name: the step stops with an ERROR saying what to remove (exit 1)', async () => {
    const sim = await fastSim();
    expect((await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work'])).code).toBe(0);
    sim.world.sshKeys[0]!.name = 'renamed-by-hand';
    // The key is registered only when a server needs the rescue system: one came back with a stock OS.
    sim.world.recycleServer('203.0.113.12');
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work', '--fresh']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'ERROR: the Hetzner Cloud API refused POST /ssh_keys (409 conflict, see the line above): the project already holds this resource under another name',
    );
    expect(r.stdout).toContain('remove or rename it in the Hetzner Cloud Console, then run ztc bootstrap again');
    expectClean(sim);
  });

  it('an Age key backup in the bucket is restored, never replaced by a new key', async () => {
    const sim = await fastSim();
    const made = execFileSync('age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const publicKey = execFileSync('age-keygen', ['-y'], { input: made, encoding: 'utf8' }).trim();
    sim.world.s3.buckets.get('acme-platform-secrets')!.set('ztc/acme/acme-platform/example/age.key', Buffer.from(made));
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[ksops/age-key] restored the Age key from s3://acme-platform-secrets/ztc/acme/acme-platform/example/age.key');
    expect(r.stdout).not.toContain('made a new Age key pair');
    expect(readFileSync(join(sim.privateDir, 'ksops/age.key'), 'utf8')).toBe(made);
    expect(readFileSync(join(sim.workspace, 'platforms/example/.ztc/state/ksops/.sops.yaml'), 'utf8')).toContain(publicKey);
    // Re-running with --fresh keeps the same key (local and backup agree).
    const again = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work', '--fresh']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('[ksops/age-key] using the Age key in the private dir');
    expect(sim.world.calls.filter((c) => c.tool === 's3-api' && c.argv[0] === 'PUT' && c.argv[1]!.endsWith('age.key'))).toEqual([]);
    expectClean(sim);
  });
});
