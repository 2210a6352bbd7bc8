/**
 * The secrets file of one platform of the workspace, located from its platform.yaml's `platform:`
 * metadata (organization, app_name). Used by `ztc bootstrap` (and so by the Nx stage targets, which run
 * it) to complete the environment: a secret the environment does not set is taken from the file.
 */
import { PLATFORM_FILE } from '../constants';
import { platformPath } from '../workspace/workspace';
import { ConfigError } from '../errors';
import { readPlatformShape } from '../platform/read-platform';
import { assertOutsideWorkspace, readEnvFile, secretsFilePath, withSecretsFile } from './env-file';

export function platformSecretsFile(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv): string {
  let meta: Record<string, unknown> = {};
  try {
    meta = readPlatformShape(workspaceRoot, `${platformPath(workspaceRoot, platform)}/${PLATFORM_FILE}`).data.platform ?? {};
  } catch (e) {
    // An invalid platform.yaml is reported by bootstrap itself (exit 3, with every problem).
    if (!(e instanceof ConfigError)) throw e;
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return secretsFilePath(env, { platform, organization: str(meta.organization), app_name: str(meta.app_name) });
}

/**
 * `env` plus the platform's stored secrets that `env` does not set (the environment wins). Only the
 * names in `declared` are taken: a stored value no step declares would reach every step unmasked.
 */
export function envWithPlatformSecrets(workspaceRoot: string, platform: string, env: NodeJS.ProcessEnv, declared: ReadonlySet<string>): NodeJS.ProcessEnv {
  if (declared.size === 0) return env;
  const file = platformSecretsFile(workspaceRoot, platform, env);
  assertOutsideWorkspace(file, workspaceRoot);
  const stored = [...readEnvFile(file)].filter(([name]) => declared.has(name));
  return withSecretsFile(env, new Map(stored));
}
