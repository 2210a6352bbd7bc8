/**
 * State backends: where a platform's bootstrap state lives between runs and machines (CONTRACT §6,
 * docs/operations.md). The checkout's `platforms/<p>/.ztc/` is always the working cache that steps and
 * the receipts code read and write; a backend decides what that cache is synchronised with.
 *
 * - `local` (the default): the cache is the state; the run lock is `.ztc/run.lock` (pid, host, start time).
 * - `s3`: a bucket every machine shares holds the receipts, ZTC_STATE_DIR and the run lock (and, when
 *   configured, the private dir, encrypted). A run takes the lock, pulls, pushes after every step and
 *   releases; `ztc plan` and `--dry-run` read it without the lock. Its libraries (aws4fetch, nanotar,
 *   age-encryption) are required on first use, so a local platform's start-up never loads them.
 */
import { ConfigError, ZtcError } from '../errors';
import { platformPath } from '../workspace/workspace';
import { readStateConfig, stateSecrets, type StateConfig } from './config';
import type { StateArea } from '../workspace/state-area';
import type { RemoteLockOptions } from './s3-lock';
import type { S3StoreOptions } from './s3-store';
import { S3StateBackend } from './s3-backend';

/** A run's hold on the state: between `begin` and `end` this run alone writes it. */
export interface StateSession {
  /** Push what the last step changed (receipts, ZTC_STATE_DIR). Throws when the lock was lost or the backend cannot be written. */
  sync(): Promise<void>;
  /** Why this run no longer holds the lock; undefined while it does. */
  lost(): string | undefined;
  /**
   * Push the private dir (when kept in the backend), release the lock. Never throws.
   * @returns where the backend holds the private dir after the push (`s3://…/private-dir.tar.age`), or undefined when it holds none from this run
   */
  end(): Promise<string | undefined>;
  /** `ztc destroy --purge-private`: delete the platform's objects in the backend (state/, receipts/, the private dir's), not the run lock (released by end) nor what else lies under the prefix (said). Returns the deleted objects' locations. */
  purge(): Promise<string[]>;
}

/** A read-only view of the backend's receipts, as a StateArea (plan, --dry-run). */
export interface StateView {
  area: StateArea;
  dispose(): void;
}

export interface BeginOptions {
  area: StateArea;
  privateDir: string;
  env: NodeJS.ProcessEnv;
  /** The command, as the lock names it (`ztc bootstrap prod --stage bootstrap`). */
  command: string;
  notice: (message: string) => void;
}

export interface StateBackend {
  kind: StateConfig['backend'];
  /** `platforms/<p>/.ztc` or `s3://bucket/prefix`. */
  location: string;
  /** Variables holding the backend's secrets: kept from every step, masked everywhere. */
  secrets: { names: string[]; values: string[] };
  /** s3: take the lock, then pull into the cache (and restore the private dir when missing). Local: nothing (the run takes .ztc/run.lock). */
  begin(opts: BeginOptions): Promise<StateSession | undefined>;
  /** The receipts as the backend has them, without the lock (local: the cache itself). */
  view(area: StateArea): Promise<StateView>;
  /** s3 with `state.private_dir`: where the encrypted private dir is kept (`s3://…/private-dir.tar.age`); else undefined. */
  privateLocation?: string;
}

export interface StateBackendOptions {
  lock?: RemoteLockOptions;
  store?: S3StoreOptions;
}

const localBackend = (location: string, secrets: StateBackend['secrets']): StateBackend => ({
  kind: 'local',
  location,
  secrets,
  begin: async () => undefined,
  view: async (area) => ({ area, dispose: () => {} }),
});

/** The platform's backend, from platform.yaml's `state:` (exit 3 on a bad section or missing credentials). */
export function openStateBackend(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv, opts: StateBackendOptions = {}): StateBackend {
  const config = readStateConfig(workspaceRoot, platform, env);
  const secrets = stateSecrets(env, config);
  if (config.backend === 'local') return localBackend(`${platformPath(workspaceRoot, platform)}/.ztc`, secrets);
  return new S3StateBackend(config, env, secrets, opts);
}

/**
 * The receipts `ztc plan` reads: the backend's, without the lock. Without credentials for an s3 backend,
 * the checkout's cache, with a warning (plan needs no secrets; what it shows may then be out of date).
 */
export async function planView(
  workspaceRoot: string,
  platform: string,
  env: NodeJS.ProcessEnv,
  area: StateArea,
  warn: (message: string) => void,
): Promise<StateView & { location: string }> {
  let backend: StateBackend;
  try {
    backend = openStateBackend(workspaceRoot, platform, env);
  } catch (e) {
    // No credentials, or a state: section to fix (the render check reports it too): plan still shows something.
    if (!(e instanceof ZtcError) || (e.code !== 'missing_secret' && !(e instanceof ConfigError))) throw e;
    warn(`${e.message}\nshowing the receipts of this checkout (${area.root}) instead; they may be out of date`);
    return { area, dispose: () => {}, location: area.root };
  }
  return { ...(await backend.view(area)), location: backend.location };
}
