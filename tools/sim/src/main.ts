/**
 * `npm run sim -- <platform> [--scenario <name>]… [--keep] [--quiet] [ztc bootstrap flags]`: start the
 * simulated datacenter, run `ztc bootstrap <platform>` against it from a clean state, show what each tool
 * was asked to do, and exit with bootstrap's exit code. With `--world <dir>` the datacenter is kept in
 * <dir> and ztc runs in this checkout (`-- <ztc args>` for another command); `--world <dir> --status`
 * prints the world. See docs/simulation.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCENARIO_NAMES, SCENARIOS } from './scenarios';
import { loadWorld, lockWorld, saveWorld, startSim, WORLD_FILE, type Sim, type SimOptions } from './session';
import { describeCall, shorten } from './transcript';
import { counterLine, formatStatus, worldStatus } from './world/status';
import { talosVersion } from './world/world';
import { World, type Call } from './world/world';

const REPO = join(__dirname, '..', '..', '..');

const USAGE = `usage: npm run sim -- [platform] [--scenario <name>]... [--keep] [--quiet] [ztc bootstrap flags]
       npm run sim -- [platform] --world <dir> [--quiet] [ztc bootstrap flags] [-- <ztc args>]
       npm run sim -- --world <dir> --status [--json]
       npm run sim -- [platform] --world <dir> --repair <ip>

Runs "ztc bootstrap <platform>" against a simulated datacenter on loopback (fake Hetzner Cloud API,
S3, GitHub App API; stub talosctl, kubectl, helm, ssh and sops; rescue systems), from a clean state, in a private copy of the
workspace. Every call to a simulated tool is shown as it happens (hide them with --quiet). Every run ends
with "disks written: N, rescue boots: N, resets: N, upgrades: N".

  --scenario <name>  inject a failure: ${SCENARIO_NAMES.join(', ')}
                     (upgrade-stuck also with --world: it stays in the world until --repair)
  --keep             keep the session's temp dir (workspace copy, private dir, logs) and print its path
  --quiet            do not show the tool calls
  --world <dir>      keep the datacenter in <dir> (world.json; made by the first run, continued by the
                     next) and run ztc in THIS checkout: its platforms/<platform>/.ztc, ZTC_PRIVATE_DIR
                     if set (else ztc's default private dir), and the caller's HCLOUD_TOKEN, S3_ACCESS_KEY,
                     S3_SECRET_KEY, GITHUB_APP_PRIVATE_KEY, ARGOCD_ADMIN_PASSWORD when set
  -- <ztc args>      with --world: run "ztc <ztc args>" instead of "ztc bootstrap <platform> [flags]"
  --status [--json]  with --world: print the world (servers, nodes, etcd members, Helm releases, last run)
  --repair <ip>      with --world: the operator fixes that server at its console (a stuck upgrade, a
                     server that never came back): it boots what its disk holds; no ztc run
Other flags go to ztc bootstrap (--fresh, --json, --stage <stage>, --dry-run).`;

function platforms(): string[] {
  return readdirSync(join(REPO, 'platforms'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}

const usage = (message: string): number => {
  process.stderr.write(`sim: ${message}\n${USAGE}\n`);
  return 64;
};

export async function main(argv: string[]): Promise<number> {
  const forwarded: string[] = [];
  const scenarios: string[] = [];
  let platform: string | undefined;
  let keep = false;
  let quiet = false;
  let worldDir: string | undefined;
  let status = false;
  let repair: string | undefined;
  let ztcArgs: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (a === '--') {
      ztcArgs = argv.slice(i + 1);
      break;
    }
    if (a === '--scenario') scenarios.push(argv[++i] ?? '');
    else if (a === '--keep') keep = true;
    else if (a === '--quiet') quiet = true;
    // A missing dir, or a flag where the dir should be, is a usage error: never a world dir named "--status".
    else if (a === '--world') worldDir = argv[i + 1] === undefined || argv[i + 1]!.startsWith('-') ? '' : argv[++i];
    else if (a.startsWith('--world=')) worldDir = a.slice('--world='.length);
    else if (a === '--status') status = true;
    else if (a === '--repair') repair = argv[i + 1] === undefined || argv[i + 1]!.startsWith('-') ? '' : argv[++i];
    else if (!a.startsWith('-') && platform === undefined && forwarded[forwarded.length - 1] !== '--stage') platform = a;
    else forwarded.push(a);
  }
  if (worldDir === '') return usage('--world needs a directory');
  if (status) {
    if (!worldDir) return usage('--status needs --world <dir>');
    if (platform || ztcArgs || scenarios.length || forwarded.some((f) => f !== '--json')) return usage('--status takes only --world <dir> and --json');
    return printStatus(resolve(worldDir), forwarded.includes('--json'));
  }
  if (repair !== undefined) {
    if (!repair) return usage('--repair needs the IP of a server');
    if (!worldDir) return usage('--repair needs --world <dir>');
    if (ztcArgs || scenarios.length || keep || forwarded.length) return usage('--repair takes only [platform] --world <dir> --repair <ip>');
    return repairServer(resolve(worldDir), repair);
  }
  if (ztcArgs && !worldDir) return usage('"-- <ztc args>" needs --world <dir> (a throwaway world runs ztc bootstrap only)');
  if (ztcArgs && forwarded.length) return usage(`flags before "--" go to ztc bootstrap; with "-- <ztc args>" put them after "--" (${forwarded.join(' ')})`);
  if (worldDir && (scenarios.some((name) => SCENARIOS[name] && !SCENARIOS[name].persistent) || keep))
    return usage('--keep and --scenario work on a throwaway world only, not with --world (except upgrade-stuck, which the world keeps)');
  const known = platforms();
  platform ??= known.length === 1 ? known[0] : undefined;
  if (!platform || !known.includes(platform))
    return usage(platform ? `no platform "${platform}" (platforms: ${known.join(', ')})` : `name the platform (platforms: ${known.join(', ')})`);

  const unknown = scenarios.find((name) => !SCENARIOS[name]);
  if (unknown !== undefined) {
    process.stderr.write(`sim: unknown scenario "${unknown}" (known: ${SCENARIO_NAMES.join(', ')})\n`);
    return 64;
  }
  const opts: SimOptions = worldDir ? { repoRoot: REPO, platform, worldDir: resolve(worldDir), workspace: REPO, privateDir: null, callerEnv: true } : { repoRoot: REPO, platform };
  let sim: Sim;
  try {
    sim = await startSim(opts);
  } catch (e) {
    process.stderr.write(`sim: ${(e as Error).message}\n`);
    return 1;
  }
  // Ctrl-C or a kill: stop ztc, then clean up as after any run (the session holds keys and a kubeconfig;
  // a kept world is saved first).
  const stopped = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => stopped.abort(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  try {
    return await run(sim, ztcArgs ?? ['bootstrap', platform, ...forwarded], scenarios, quiet, stopped.signal);
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    if (keep) process.stderr.write(`sim: kept ${sim.root} (workspace/, private/, tmp/)\n`);
    await sim.stop({ keep });
  }
}

function printStatus(dir: string, json: boolean): number {
  if (!existsSync(dir)) {
    process.stderr.write(`sim: no world in ${dir}: make one with npm run sim -- <platform> --world ${dir}\n`);
    return 64;
  }
  let saved;
  try {
    saved = loadWorld(dir);
  } catch (e) {
    process.stderr.write(`sim: ${(e as Error).message}\n`);
    return 1;
  }
  if (!saved) {
    process.stderr.write(`sim: ${dir} holds no ${WORLD_FILE}: make one with npm run sim -- <platform> --world ${dir}\n`);
    return 64;
  }
  const status = worldStatus(new World({ servers: [], saved }));
  process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  return 0;
}

/** `--repair <ip>`: the operator fixes the server at its console; the world is changed and saved, no ztc run. */
function repairServer(dir: string, ip: string): number {
  let unlock: (() => void) | undefined;
  try {
    const saved = existsSync(dir) ? loadWorld(dir) : undefined;
    if (!saved) {
      process.stderr.write(`sim: ${dir} holds no ${WORLD_FILE}: make one with npm run sim -- <platform> --world ${dir}\n`);
      return 64;
    }
    unlock = lockWorld(dir);
    const world = new World({ servers: [], saved: loadWorld(dir) });
    const m = world.machineByIp(ip);
    if (!m) {
      process.stderr.write(`sim: the world has no server ${ip} (servers: ${world.machines.map((x) => x.ip).join(', ')})\n`);
      return 64;
    }
    const toRescue = m.rescueEnabled;
    const repaired = world.repairNode(ip);
    saveWorld(dir, world);
    const disk = talosVersion(m.disk.image) ? `Talos ${talosVersion(m.disk.image)}` : (m.disk.image ?? 'an empty disk');
    process.stdout.write(
      repaired
        ? `sim: ${ip} (${m.name}) repaired at its console: it boots ${toRescue ? 'the rescue system' : `${disk} from its disk`}\n`
        : `sim: ${ip} (${m.name}) is not stuck (it runs ${world.running(m)}): nothing to repair\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`sim: ${(e as Error).message}\n`);
    return 1;
  } finally {
    unlock?.();
  }
}

async function run(sim: Sim, ztcArgs: string[], scenarios: string[], quiet: boolean, stop: AbortSignal): Promise<number> {
  const servers = sim.world.machines.map((m) => m.ip);
  for (const name of scenarios) {
    SCENARIOS[name]!.apply(sim);
    process.stderr.write(`sim: scenario ${name}: ${SCENARIOS[name]!.description}\n`);
  }

  const paths = { privateDir: sim.privateDir, workspace: sim.workspace, tmpDir: sim.tmpDir };
  const started = Date.now();
  process.stderr.write(`sim: datacenter up: ${servers.length} server(s) (${servers.join(', ')}); Hetzner API at ${String(sim.env.HCLOUD_ENDPOINT)}\n`);
  if (sim.worldDir) process.stderr.write(`sim: world ${sim.worldDir}; workspace ${sim.workspace}; private dir ${sim.privateDir}\n`);
  process.stderr.write(`sim: ztc ${ztcArgs.join(' ')}\n\n`);
  if (!quiet) sim.world.on('call', (c: Call) => process.stderr.write(`      sim> ${c.step ? `[${c.step}] ` : ''}${describeCall(c, paths)}\n`));
  const result = await sim.ztc(ztcArgs, {
    stop,
    onLine: (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${shorten(line, paths)}\n`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const nodes = sim.world.cluster.nodes();
  process.stderr.write(
    `\nsim: ${ztcArgs[0] ?? 'ztc'} exited ${result.code} after ${seconds} s; ${sim.world.calls.length} calls to simulated tools; ` +
      `cluster: ${nodes.length ? `${nodes.filter((n) => n.ready).length}/${nodes.length} nodes Ready` : 'not formed'}\n`,
  );
  if (sim.world.leaks.length) process.stderr.write(`sim: SECRET LEAKS: ${sim.world.leaks.join('; ')}\n`);
  if (sim.worldDir) process.stderr.write(`sim: world saved in ${sim.worldDir}/${WORLD_FILE} (npm run sim -- --world ${sim.worldDir} --status)\n`);
  process.stderr.write(`${counterLine(sim.world.lastRun)}\n`);
  return result.code;
}
