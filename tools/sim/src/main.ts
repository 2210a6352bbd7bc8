/**
 * `npm run sim -- <platform> [--scenario <name>]… [--keep] [--quiet] [ztc bootstrap flags]`: start the
 * simulated datacenter, run `ztc bootstrap <platform>` against it from a clean state, show what each tool
 * was asked to do, and exit with bootstrap's exit code. See docs/simulation.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIO_NAMES, SCENARIOS } from './scenarios';
import { startSim, type Sim, type SimOptions } from './session';
import { describeCall, shorten } from './transcript';
import type { Call } from './world/world';

const REPO = join(__dirname, '..', '..', '..');

const USAGE = `usage: npm run sim -- [platform] [--scenario <name>]... [--keep] [--quiet] [ztc bootstrap flags]

Runs "ztc bootstrap <platform>" against a simulated datacenter on loopback (fake Hetzner Cloud API,
S3, GitHub App API; stub talosctl, kubectl, helm, ssh and sops; rescue systems), from a clean state, in a private copy of the
workspace. Every call to a simulated tool is shown as it happens (hide them with --quiet).

  --scenario <name>  inject a failure: ${SCENARIO_NAMES.join(', ')}
  --keep             keep the session's temp dir (workspace copy, private dir, logs) and print its path
  --quiet            do not show the tool calls
Other flags go to ztc bootstrap (--fresh, --json, --stage <stage>, --dry-run).`;

function platforms(): string[] {
  return readdirSync(join(REPO, 'platforms'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
}

export async function main(argv: string[]): Promise<number> {
  const forwarded: string[] = [];
  const scenarios: string[] = [];
  let platform: string | undefined;
  let keep = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (a === '--scenario') scenarios.push(argv[++i] ?? '');
    else if (a === '--keep') keep = true;
    else if (a === '--quiet') quiet = true;
    else if (!a.startsWith('-') && platform === undefined && forwarded[forwarded.length - 1] !== '--stage') platform = a;
    else forwarded.push(a);
  }
  const known = platforms();
  platform ??= known.length === 1 ? known[0] : undefined;
  if (!platform || !known.includes(platform)) {
    process.stderr.write(`sim: ${platform ? `no platform "${platform}"` : 'name the platform'} (platforms: ${known.join(', ')})\n${USAGE}\n`);
    return 64;
  }

  const unknown = scenarios.find((name) => !SCENARIOS[name]);
  if (unknown !== undefined) {
    process.stderr.write(`sim: unknown scenario "${unknown}" (known: ${SCENARIO_NAMES.join(', ')})\n`);
    return 64;
  }
  const opts: SimOptions = { repoRoot: REPO, platform };
  const sim = await startSim(opts);
  // Ctrl-C or a kill: stop bootstrap, then clean up as after any run (the session holds keys and a kubeconfig).
  const stopped = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => stopped.abort(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  try {
    return await run(sim, platform, scenarios, forwarded, quiet, stopped.signal);
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    if (keep) process.stderr.write(`sim: kept ${sim.root} (workspace/, private/, tmp/)\n`);
    await sim.stop({ keep });
  }
}

async function run(sim: Sim, platform: string, scenarios: string[], forwarded: string[], quiet: boolean, stop: AbortSignal): Promise<number> {
  const servers = sim.world.machines.map((m) => m.ip);
  for (const name of scenarios) {
    SCENARIOS[name]!.apply(sim);
    process.stderr.write(`sim: scenario ${name}: ${SCENARIOS[name]!.description}\n`);
  }

  const paths = { privateDir: sim.privateDir, workspace: sim.workspace, tmpDir: sim.tmpDir };
  const started = Date.now();
  process.stderr.write(`sim: datacenter up: ${servers.length} server(s) (${servers.join(', ')}); Hetzner API at ${String(sim.env.HCLOUD_ENDPOINT)}\n`);
  process.stderr.write(`sim: ztc bootstrap ${[platform, ...forwarded].join(' ')}\n\n`);
  if (!quiet) sim.world.on('call', (c: Call) => process.stderr.write(`      sim> ${c.step ? `[${c.step}] ` : ''}${describeCall(c, paths)}\n`));
  const result = await sim.ztc(['bootstrap', platform, ...forwarded], {
    stop,
    onLine: (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${shorten(line, paths)}\n`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const nodes = sim.world.cluster.nodes();
  process.stderr.write(
    `\nsim: bootstrap exited ${result.code} after ${seconds} s; ${sim.world.calls.length} calls to simulated tools; ` +
      `cluster: ${nodes.length ? `${nodes.filter((n) => n.ready).length}/${nodes.length} nodes Ready` : 'not formed'}\n`,
  );
  if (sim.world.leaks.length) process.stderr.write(`sim: SECRET LEAKS: ${sim.world.leaks.join('; ')}\n`);
  return result.code;
}
