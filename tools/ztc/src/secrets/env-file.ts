/**
 * The per-platform secrets file: where `ztc init` keeps the secrets typed into it, outside the
 * repository, and where `ztc bootstrap` looks for a secret the environment does not set.
 *
 *   ${ZTC_SECRETS_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/ztc/<organization>/<app_name>/<platform>.env}
 *
 * (a missing organization or app_name is `_`). The folders ztc creates are 0700, the file is 0600 and is
 * replaced atomically. Format: `NAME=value` lines, `#` comments; a value holding anything but
 * `[A-Za-z0-9_./:@+=-]` is written as a JSON string (`NAME="line 1\nline 2"`, as dotenv reads it).
 * A file readable by group or others is refused, as ssh refuses such a key.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ExitCode, ExitError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';

export const SECRETS_FILE_ENV = 'ZTC_SECRETS_FILE';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE = /^[A-Za-z0-9_./:@+=-]*$/;

export interface SecretsFileKey {
  platform: string;
  organization?: string;
  app_name?: string;
}

/** Absolute path of a platform's secrets file (ZTC_SECRETS_FILE wins). */
export function secretsFilePath(env: NodeJS.ProcessEnv, key: SecretsFileKey): string {
  const override = env[SECRETS_FILE_ENV];
  if (override) return resolve(override);
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  const part = (s: string | undefined) => (s && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) ? s : '_');
  return join(base, 'ztc', part(key.organization), part(key.app_name), `${key.platform}.env`);
}

/** A secrets file inside the workspace would put secrets where git, Nx and editors look. */
export function assertOutsideWorkspace(path: string, workspaceRoot: string): void {
  const r = relative(resolve(workspaceRoot), resolve(path));
  if (!r.startsWith('..') && !isAbsolute(r)) {
    throw new ExitError(
      `the secrets file ${path} is inside the workspace; secrets never go into the workspace. Point ${SECRETS_FILE_ENV} outside it (or unset it to use ~/.config/ztc/…)`,
      ExitCode.invalid,
    );
  }
}

export function parseEnvFile(text: string, file: string): Map<string, string> {
  const vars = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq) : '';
    let value = line.slice(eq + 1);
    if (!NAME.test(name)) throw new ExitError(`${file}: line ${i + 1}: expected NAME=value`, ExitCode.invalid);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        throw new ExitError(`${file}: line ${i + 1}: ${name}: a quoted value must be a JSON string`, ExitCode.invalid);
      }
    }
    vars.set(name, value);
  });
  return vars;
}

export function serializeEnvFile(vars: ReadonlyMap<string, string>): string {
  const lines = ['# Secrets for ztc (written by "ztc init"). Keep this file private: mode 0600, never commit it.'];
  for (const name of [...vars.keys()].sort()) {
    const value = vars.get(name)!;
    lines.push(`${name}=${BARE.test(value) ? value : JSON.stringify(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The variables of the file, or an empty map when it does not exist. */
export function readEnvFile(path: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ExitError(`${path} is readable by others (mode ${mode.toString(8)}); run "chmod 600 ${path}"`, ExitCode.invalid);
  }
  return parseEnvFile(readFileSync(path, 'utf8'), path);
}

/** Merge `updates` into the file (other variables are kept); returns true when the file changed. */
export function updateEnvFile(path: string, updates: ReadonlyMap<string, string>): boolean {
  const vars = readEnvFile(path);
  let changed = !existsSync(path);
  for (const [k, v] of updates) {
    if (vars.get(k) !== v) changed = true;
    vars.set(k, v);
  }
  if (changed) writeFileAtomic(path, serializeEnvFile(vars), { mode: 0o600, dirMode: 0o700 });
  return changed;
}

/**
 * `env` completed from the file: a variable the environment sets (non-empty) wins over the file.
 * Returns `env` itself when there is nothing to add.
 */
export function withSecretsFile(env: NodeJS.ProcessEnv, fileVars: ReadonlyMap<string, string>): NodeJS.ProcessEnv {
  const missing = [...fileVars].filter(([k]) => !env[k]);
  return missing.length === 0 ? env : { ...env, ...Object.fromEntries(missing) };
}
