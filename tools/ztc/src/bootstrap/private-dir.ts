/**
 * The per-platform private dir (CONTRACT §6, ZTC_PRIVATE_DIR): where steps keep the credentials they
 * make during bootstrap (Talos secrets bundle and machine configs, talosconfig, kubeconfig, SSH keys).
 * It lies outside the workspace, so nothing in it is committed, cached by Nx or sent to a remote cache,
 * and it is mode 0700, owned by the user running bootstrap.
 *
 * Location: $ZTC_PRIVATE_DIR when set (used as is), else
 * `${XDG_STATE_HOME:-~/.local/state}/ztc/<organization>/<app_name>/<platform>` from platform.yaml's
 * metadata (`_` for a missing part). Keyed by the platform's identity, not the checkout's path, so a
 * second checkout of the same repository, or another machine with a restored backup, finds it.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import { readPlatformShape } from '../platform/read-platform';
import { PLATFORM_FILE } from '../constants';
import { platformPath } from '../workspace/workspace';

/**
 * @param meta the platform's metadata, when the caller has it (init, before platform.yaml exists);
 *   else it is read from platform.yaml
 */
export function resolvePrivateDir(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv, meta?: Identity): string {
  const explicit = env.ZTC_PRIVATE_DIR;
  const id = meta ?? readIdentity(workspaceRoot, platform);
  const dir = explicit ? resolve(explicit) : join(stateHome(env), 'ztc', pathPart(id.organization), pathPart(id.app_name), platform);
  const rel = relative(resolve(workspaceRoot), dir);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new ExitError(
      `the private dir ${dir} is inside the workspace: credentials made during bootstrap would be committed or cached there; set ZTC_PRIVATE_DIR to a directory outside ${workspaceRoot}`,
      ExitCode.invalid,
    );
  }
  return dir;
}

function stateHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
}

/** A metadata value as one folder name: `_` when it is not set (or not a scalar, which platform.yaml's schema refuses anyway). */
function pathPart(value: unknown): string {
  return (typeof value === 'string' || typeof value === 'number') && value !== '' && value !== 0 ? String(value) : '_';
}

interface Identity {
  organization?: unknown;
  app_name?: unknown;
}

function readIdentity(workspaceRoot: string, platform: string): { organization?: string; app_name?: string } {
  const { data } = readPlatformShape(workspaceRoot, `${platformPath(workspaceRoot, platform)}/${PLATFORM_FILE}`);
  return data.platform ?? {};
}

/**
 * `ztc destroy --purge-private` deletes the private dir recursively: refuse (exit 3, before anything runs)
 * a ZTC_PRIVATE_DIR that is not one platform's own dir but holds more: the filesystem root, the home dir
 * or the workspace (or a folder above them), or a folder above this platform's default private dir (the
 * ztc state tree, where every other platform's credentials live).
 */
export function checkPurgeablePrivateDir(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv, dir: string): void {
  const home = resolve(env.HOME || homedir());
  const own = resolvePrivateDir(workspaceRoot, platform, { ...env, ZTC_PRIVATE_DIR: undefined });
  const within = (parent: string, child: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const holds = [
    { path: home, what: 'your home directory' },
    { path: resolve(workspaceRoot), what: `the workspace ${workspaceRoot}` },
    ...(own === dir ? [] : [{ path: dirname(own), what: `the ztc state folder ${dirname(own)}, where other platforms keep their private dirs` }]),
  ].filter((h) => within(dir, h.path));
  if (dir === resolve('/') || holds.length > 0) {
    throw new ExitError(
      `--purge-private would delete the private dir ${dir} with everything in it, and it holds ${holds.map((h) => h.what).join(' and ') || 'the whole filesystem'}; nothing was run. Set ZTC_PRIVATE_DIR to ${platform}'s own private dir (the default is ${own}) and run ztc destroy again, or run it without --purge-private and delete what you mean to by hand`,
      ExitCode.invalid,
      { code: 'unsafe_purge' },
    );
  }
}

/** Create the dir (0700), or check an existing one: owned by this user, no access for others. */
export function preparePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivateDir(dir);
  chmodSync(dir, 0o700);
}

/**
 * Refuse a private dir another user owns or can read; nothing is created or changed (a dir that does not
 * exist yet passes: a run makes it 0700). The check of a real run and of `--dry-run` alike.
 */
export function checkPrivateDir(dir: string): void {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (process.getuid && st.uid !== process.getuid()) {
    throw new ExitError(`the private dir ${dir} belongs to another user (uid ${st.uid}); use your own (ZTC_PRIVATE_DIR)`, ExitCode.invalid);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ExitError(
      `the private dir ${dir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); it holds cluster credentials: run "chmod 700 ${dir}"`,
      ExitCode.invalid,
    );
  }
}
