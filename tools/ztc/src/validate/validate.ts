/**
 * validate (CONTRACT §5): re-render in memory and compare with lock.json and the files on disk.
 * Reports every difference with its cause; never writes anything. A render module whose output is not
 * deterministic is named (exit 3) instead of showing up as endless "a fresh render differs" drift.
 */
import { join } from 'node:path';
import { GENERATED_DIR, LOCK_FILE, PIPELINE_FILE } from '../constants';
import { adapterPath, platformPath } from '../workspace/workspace';
import { ConfigError } from '../errors';
import type { Lock } from '../render/lock';
import { checkDeterminism } from '../render/determinism';
import { planRender } from '../render/plan';
import { listTree, readIfExists } from '../render/disk';
import { withCache, type EngineCache } from '../util/content-cache';
import { compareStrings, sha256 } from '../util/hash';

export type DriftCause = 'platform.yaml changed' | 'adapter changed' | 'file modified' | 'file missing' | 'file unexpected' | 'pipeline changed';

/** Stable machine-readable code of each cause (`--json`; docs/json.md). */
export const DRIFT_CODES = {
  'platform.yaml changed': 'platform_changed',
  'adapter changed': 'adapter_changed',
  'file modified': 'file_modified',
  'file missing': 'file_missing',
  'file unexpected': 'file_unexpected',
  'pipeline changed': 'pipeline_changed',
} as const satisfies Record<DriftCause, string>;
export type DriftCode = (typeof DRIFT_CODES)[DriftCause];

/**
 * Why, as a stable code: `edited` (differs from lock.json: changed by hand), `stale` (a fresh render
 * differs: its inputs changed), `added` / `removed` / `version` / `source` (adapter), `engine_version`.
 */
export type DriftReason = 'edited' | 'stale' | 'added' | 'removed' | 'version' | 'source' | 'engine_version';

export interface Drift {
  /** Stable code of the cause. */
  code: DriftCode;
  cause: DriftCause;
  /** Workspace-relative path of the file or adapter concerned. */
  path: string;
  /** Stable code of the detail, when there is one to tell apart. */
  reason?: DriftReason;
  detail: string;
}

export interface ValidateResult {
  platform: string;
  drift: Drift[];
  /**
   * What a fresh render writes at a workspace-relative path (generated file, pipeline.yaml, lock.json);
   * undefined for a path render does not write. For `ztc validate --diff`.
   */
  expected(path: string): string | undefined;
}

function drift(cause: DriftCause, path: string, detail: string, reason?: DriftReason): Drift {
  return { code: DRIFT_CODES[cause], cause, path, ...(reason && { reason }), detail };
}

/** lock.json, parsed, and its exact text (validate compares both). */
function readLock(workspaceRoot: string, platform: string): { lock: Lock; text: string } {
  const file = `${platformPath(workspaceRoot, platform)}/${LOCK_FILE}`;
  const raw = readIfExists(join(workspaceRoot, file));
  if (!raw) {
    throw ConfigError.one({ file, path: '', message: 'lock.json is missing', hint: `run "ztc render ${platform}" first` });
  }
  try {
    const text = raw.toString('utf8');
    const lock = JSON.parse(text) as Lock;
    if (!lock || typeof lock !== 'object' || typeof lock.files !== 'object' || typeof lock.adapters !== 'object') throw new Error('not a lock');
    return { lock, text };
  } catch {
    throw ConfigError.one({ file, path: '', message: 'lock.json is not a valid ZTC lock', hint: `run "ztc render ${platform}" to regenerate it` });
  }
}

export interface ValidateOptions {
  /**
   * Render every adapter a second time and refuse one whose output differs (render/determinism.ts).
   * `ztc validate` does; bootstrap's and plan's drift checks, which only compare, do not.
   * @default true
   */
  determinism?: boolean;
  /** The cache rendering may use (planRender's `cache`); without one validate reads and writes no cache. */
  cache?: EngineCache;
}

/** Compare the platform's files on disk with a fresh render; writes nothing but to `opts.cache`. */
export function validatePlatform(workspaceRoot: string, platform: string, opts: ValidateOptions = {}): ValidateResult {
  return withCache(opts.cache, () => validate(workspaceRoot, platform, opts));
}

function validate(workspaceRoot: string, platform: string, opts: ValidateOptions): ValidateResult {
  const base = platformPath(workspaceRoot, platform);
  const { lock, text: lockText } = readLock(workspaceRoot, platform);
  const plan = planRender(workspaceRoot, platform, { cache: opts.cache });
  if (opts.determinism ?? true) {
    const { adapters, configs, metadata } = plan.platform;
    checkDeterminism({ workspaceRoot, adapters, configs, metadata, outputs: plan.outputs });
  }

  const found: Drift[] = [];
  if (lock.platform_hash !== plan.lock.platform_hash) {
    found.push(drift('platform.yaml changed', `${base}/platform.yaml`, 'platform.yaml differs from the one the lock was rendered from'));
  }
  const names = [...new Set([...Object.keys(lock.adapters), ...Object.keys(plan.lock.adapters)])].sort(compareStrings);
  for (const name of names) {
    const was = lock.adapters[name];
    const now = plan.lock.adapters[name];
    const path = adapterPath(workspaceRoot, name);
    if (!was) found.push(drift('adapter changed', path, 'adapter added to the platform since render', 'added'));
    else if (!now) found.push(drift('adapter changed', path, 'adapter removed from the platform since render', 'removed'));
    else if (was.version !== now.version) found.push(drift('adapter changed', path, `version ${was.version} -> ${now.version}`, 'version'));
    else if (was.source_hash !== now.source_hash) found.push(drift('adapter changed', path, 'source files changed since render', 'source'));
  }

  const disk = listTree(join(workspaceRoot, base, GENERATED_DIR));
  const paths = [...new Set([...disk.keys(), ...plan.files.keys()])].sort(compareStrings);
  for (const p of paths) {
    const path = `${base}/${GENERATED_DIR}/${p}`;
    const expected = plan.files.get(p);
    const abs = disk.get(p);
    if (expected === undefined) {
      found.push(drift('file unexpected', path, 'no adapter produces this file'));
    } else if (abs === undefined) {
      found.push(drift('file missing', path, 'a fresh render produces this file'));
    } else {
      const actual = sha256(readIfExists(abs) ?? '');
      if (actual !== plan.lock.files[p]) {
        const edited = actual !== lock.files[p];
        found.push(
          edited ? drift('file modified', path, 'edited since render (differs from lock.json)', 'edited') : drift('file modified', path, 'stale: a fresh render differs', 'stale'),
        );
      }
    }
  }
  const pipeline = readIfExists(join(workspaceRoot, base, PIPELINE_FILE));
  if (!pipeline) found.push(drift('file missing', `${base}/${PIPELINE_FILE}`, 'a fresh render produces this file'));
  else if (!pipeline.equals(Buffer.from(plan.pipelineText))) {
    const edited = sha256(pipeline) !== lock.pipeline_hash;
    const path = `${base}/${PIPELINE_FILE}`;
    found.push(
      edited
        ? drift('pipeline changed', path, 'edited since render (differs from lock.json)', 'edited')
        : drift('pipeline changed', path, 'stale: a fresh render differs', 'stale'),
    );
  }
  if (found.length === 0) {
    if (lockText !== plan.lockText) {
      const path = `${base}/${LOCK_FILE}`;
      found.push(
        lock.engine_version !== plan.lock.engine_version
          ? drift('file modified', path, `engine version ${lock.engine_version} -> ${plan.lock.engine_version}`, 'engine_version')
          : drift('file modified', path, 'lock.json does not match a fresh render', 'edited'),
      );
    }
  }
  const generated = `${base}/${GENERATED_DIR}/`;
  const expected = (path: string): string | undefined => {
    if (path === `${base}/${PIPELINE_FILE}`) return plan.pipelineText;
    if (path === `${base}/${LOCK_FILE}`) return plan.lockText;
    return path.startsWith(generated) ? plan.files.get(path.slice(generated.length)) : undefined;
  };
  return { platform, drift: found, expected };
}
