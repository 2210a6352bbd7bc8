/**
 * ssh, and the Hetzner rescue system behind it. The simulated ssh checks what real sshd would (is the
 * host up, does it run sshd, is the key authorized) and then hands the command back to the stub, which
 * runs it with real bash in a "rescue system": a PATH holding only the tools below (curl, xz, dd, sync,
 * reboot, hostname, lsblk), each talking to this world for the server it runs on. So the unchanged remote
 * command line of a script is interpreted for real, and nothing ever touches a real disk.
 */
import { spawnSync } from 'node:child_process';
import { fail, ok, pathIn, type ExecRequest, type ExecResult } from './exec';
import { KNOWN_TALOS } from './talosctl';
import type { World } from './world';

const SSH_VALUES = ['i', 'o', 'p', 'l', 'F', 'J', 'b', 'c', 'E', 'L', 'R', 'D', 'W', 'S', 'm', 'Q', 'B'];
const DISKS = ['/dev/sda'];
const IMAGE_URL = /^https:\/\/factory\.talos\.dev\/image\/([0-9a-f]{64})\/(v\d+\.\d+\.\d+)\/([a-z0-9-]+)-(amd64|arm64)\.raw\.xz$/;

/** The public key of a private key file, as `type base64` (what authorized_keys compares). */
function publicKeyOf(file: string): string | undefined {
  const r = spawnSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(' ').slice(0, 2).join(' ') : undefined;
}

/** The ssh client: parse like OpenSSH (options before the destination, the rest is the command). */
export async function ssh(world: World, req: ExecRequest): Promise<ExecResult> {
  let i = 0;
  const keys: string[] = [];
  let user: string | undefined;
  while (i < req.argv.length && req.argv[i]!.startsWith('-')) {
    const flag = req.argv[i]!.slice(1);
    const letter = flag[0]!;
    if (SSH_VALUES.includes(letter)) {
      const value = flag.length > 1 ? flag.slice(1) : req.argv[++i]!;
      if (letter === 'i') keys.push(value);
      if (letter === 'l') user = value;
    }
    i++;
  }
  const dest = req.argv[i];
  if (!dest) return fail('usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] destination [command [argument ...]]', 255);
  const [u, host] = dest.includes('@') ? dest.split('@') : [user ?? 'root', dest];
  const command = req.argv.slice(i + 1).join(' ');
  const m = world.machineByIp(host!);
  if (!m) return fail(`ssh: connect to host ${host} port 22: Connection timed out`, 255);
  if (world.faults.hangSsh?.includes(m.ip)) await new Promise(() => undefined);
  const running = world.running(m);
  // A machine that is off or still booting answers nothing (the client times out); Talos runs no sshd.
  if (running === 'down') return fail(`ssh: connect to host ${host} port 22: Connection timed out`, 255);
  if (running === 'talos') return fail(`ssh: connect to host ${host} port 22: Connection refused`, 255);
  const offered = keys.map((k) => publicKeyOf(pathIn(req, k))).filter(Boolean);
  if (running === 'os' || u !== 'root' || !offered.some((k) => m.authorizedKeys.some((a) => a.startsWith(k!)))) {
    return fail(`${u}@${host}: Permission denied (publickey).`, 255);
  }
  if (!command) return fail('Pseudo-terminal will not be allocated because stdin is not a terminal.', 255);
  return { code: 0, run: { kind: 'rescue', target: m.ip, command } };
}

/** Tools of the rescue system; `req.host` is the server they run on. */
export function rescueTool(world: World, req: ExecRequest): ExecResult {
  const m = world.machineByIp(req.host!);
  if (!m || world.running(m) !== 'rescue') return fail('Connection to host closed.', 255);
  switch (req.tool) {
    case 'hostname':
      return ok('rescue\n');
    case 'sync':
      return ok();
    case 'lsblk':
      return ok(`NAME   SIZE TYPE\n${DISKS.map((d) => `${d.slice(5)}     80G disk`).join('\n')}\n`);
    case 'reboot':
      world.reboot(m);
      return ok();
    case 'curl': {
      const url = req.argv.find((a) => /^https?:\/\//.test(a));
      const image = url && IMAGE_URL.exec(url);
      if (!image || !KNOWN_TALOS.test(image[2]!)) return fail(`curl: (22) The requested URL returned error: 404`, 22);
      return ok(`SIM-IMAGE xz talos:${image[2]}:${image[3]}-${image[4]}:${image[1]}\n`);
    }
    case 'xz': {
      const text = req.stdin?.toString() ?? '';
      if (!req.argv.includes('-d') || !text.startsWith('SIM-IMAGE xz ')) return fail('xz: (stdin): File format not recognized');
      return ok(text.replace('SIM-IMAGE xz ', 'SIM-IMAGE raw '));
    }
    case 'dd': {
      const of = req.argv.find((a) => a.startsWith('of='))?.slice(3);
      if (!of) return fail('dd: no output file given (this simulation writes disks only)');
      if (!DISKS.includes(of)) return fail(`dd: failed to open '${of}': No such file or directory`);
      const text = req.stdin?.toString() ?? '';
      if (!text.startsWith('SIM-IMAGE raw ')) return fail('dd: input is not a disk image (pipe it through xz -d first)');
      world.writeDisk(m, { image: text.slice('SIM-IMAGE raw '.length).trim() });
      return ok();
    }
    default:
      return fail(`${req.tool}: not simulated in the rescue system`, 127);
  }
}

export const RESCUE_TOOLS = ['hostname', 'sync', 'lsblk', 'reboot', 'curl', 'xz', 'dd'];
