/**
 * What must hold before bootstrap runs anything (CONTRACT §6, exit 3 otherwise): the rendered output is
 * current (validate finds no drift), every tool the running adapters need is on PATH, and every secret
 * env var the running steps declare is set. Each check reports everything it finds in one message.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError, ExitCode, ExitError, formatIssue } from '../errors';
import type { Pipeline, PipelineStep } from '../render/pipeline';
import { diskCache } from '../util/content-cache';
import { validatePlatform } from '../validate/validate';

/** Refuse unless lock.json, platform.yaml, the adapters, pipeline.yaml and generated/ all agree. */
export function checkRendered(workspaceRoot: string, platform: string, verb = 'bootstrap'): void {
  const first = `cannot ${verb} ${platform}: run render first ("ztc render ${platform}")`;
  let drift;
  try {
    ({ drift } = validatePlatform(workspaceRoot, platform, { determinism: false, cache: diskCache() }));
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new ExitError(`${first}; render reports:\n${e.issues.map((i) => `  ${formatIssue(i).replace(/\n/g, '\n  ')}`).join('\n')}`, ExitCode.invalid, { cause: e });
    }
    throw e;
  }
  if (drift.length > 0) {
    const width = Math.max(...drift.map((d) => d.cause.length));
    const lines = drift.map((d) => `  ${d.cause.padEnd(width)}  ${d.path}  (${d.detail})`);
    throw new ExitError(`${first}; the rendered output is stale:\n${lines.join('\n')}`, ExitCode.invalid);
  }
}

/** Absolute path of executable `name` on `pathVar`, like `command -v` (no process spawned). */
export function findOnPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Refuse when a tool needed by one of `adapters` is not on PATH; names the adapters and the install hint. */
export function checkTools(pipeline: Pipeline, adapters: ReadonlySet<string>, env: NodeJS.ProcessEnv): void {
  const missing = pipeline.tools
    .filter((t) => t.adapters.some((a) => adapters.has(a)))
    .filter((t) => !findOnPath(t.name, env.PATH))
    .map((t) => {
      const users = t.adapters.filter((a) => adapters.has(a)).join(', ');
      return `  ${t.name} (needed by ${users})${t.install ? `: install with: ${t.install}` : ''}`;
    });
  if (missing.length > 0) {
    throw new ExitError(`missing tool${missing.length === 1 ? '' : 's'} on PATH:\n${missing.join('\n')}`, ExitCode.invalid);
  }
}

/** Refuse when a secret env var declared by a step that will run is unset or empty. */
export function checkSecrets(steps: readonly { stage: string; step: PipelineStep }[], env: NodeJS.ProcessEnv): void {
  const missing: string[] = [];
  for (const { stage, step } of steps) {
    for (const name of step.secret_env) if (!env[name]) missing.push(`  ${name} for step ${step.id} (${stage})`);
  }
  if (missing.length > 0) {
    throw new ExitError(
      `missing secret env var${missing.length === 1 ? '' : 's'} (export ${missing.length === 1 ? 'it' : 'them'}, or store ${missing.length === 1 ? 'it' : 'them'} with "ztc init <platform>" in the secrets file outside the repository):\n${missing.join('\n')}`,
      ExitCode.invalid,
    );
  }
}
