/**
 * validate (CONTRACT §5): re-render in memory and compare with lock.json and the files on disk.
 * Reports every difference with its cause; never writes anything. A render module whose output is not
 * deterministic is named (exit 3) instead of showing up as endless "a fresh render differs" drift.
 */
import { join } from 'node:path';
import { GENERATED_DIR, LOCK_FILE, PIPELINE_FILE, PLATFORMS_DIR } from '../constants';
import { ConfigError } from '../errors';
import type { Lock } from '../render/lock';
import { checkDeterminism } from '../render/determinism';
import { planRender } from '../render/plan';
import { listTree, readIfExists } from '../render/disk';
import { compareStrings, sha256 } from '../util/hash';

export type DriftCause =
  | 'platform.yaml changed'
  | 'adapter changed'
  | 'file modified'
  | 'file missing'
  | 'file unexpected'
  | 'pipeline changed';

export interface Drift {
  cause: DriftCause;
  /** Workspace-relative path of the file or adapter concerned. */
  path: string;
  detail: string;
}

export interface ValidateResult {
  platform: string;
  drift: Drift[];
}

/** lock.json, parsed, and its exact text (validate compares both). */
function readLock(workspaceRoot: string, platform: string): { lock: Lock; text: string } {
  const file = `${PLATFORMS_DIR}/${platform}/${LOCK_FILE}`;
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

export function validatePlatform(workspaceRoot: string, platform: string): ValidateResult {
  const base = `${PLATFORMS_DIR}/${platform}`;
  const { lock, text: lockText } = readLock(workspaceRoot, platform);
  const plan = planRender(workspaceRoot, platform);
  const { adapters, configs, metadata } = plan.platform;
  checkDeterminism({ workspaceRoot, adapters, configs, metadata, outputs: plan.outputs });
  const drift: Drift[] = [];

  if (lock.platform_hash !== plan.lock.platform_hash) {
    drift.push({ cause: 'platform.yaml changed', path: `${base}/platform.yaml`, detail: 'platform.yaml differs from the one the lock was rendered from' });
  }
  const names = [...new Set([...Object.keys(lock.adapters), ...Object.keys(plan.lock.adapters)])].sort(compareStrings);
  for (const name of names) {
    const was = lock.adapters[name];
    const now = plan.lock.adapters[name];
    const path = `adapters/${name}`;
    if (!was) drift.push({ cause: 'adapter changed', path, detail: 'adapter added to the platform since render' });
    else if (!now) drift.push({ cause: 'adapter changed', path, detail: 'adapter removed from the platform since render' });
    else if (was.version !== now.version) drift.push({ cause: 'adapter changed', path, detail: `version ${was.version} -> ${now.version}` });
    else if (was.source_hash !== now.source_hash) drift.push({ cause: 'adapter changed', path, detail: 'source files changed since render' });
  }

  const disk = listTree(join(workspaceRoot, base, GENERATED_DIR));
  const paths = [...new Set([...disk.keys(), ...plan.files.keys()])].sort(compareStrings);
  for (const p of paths) {
    const path = `${base}/${GENERATED_DIR}/${p}`;
    const expected = plan.files.get(p);
    const abs = disk.get(p);
    if (expected === undefined) {
      drift.push({ cause: 'file unexpected', path, detail: 'no adapter produces this file' });
    } else if (abs === undefined) {
      drift.push({ cause: 'file missing', path, detail: 'a fresh render produces this file' });
    } else {
      const actual = sha256(readIfExists(abs) ?? '');
      if (actual !== plan.lock.files[p]) {
        const edited = actual !== lock.files[p];
        drift.push({ cause: 'file modified', path, detail: edited ? 'edited since render (differs from lock.json)' : 'stale: a fresh render differs' });
      }
    }
  }
  const pipeline = readIfExists(join(workspaceRoot, base, PIPELINE_FILE));
  if (!pipeline) drift.push({ cause: 'file missing', path: `${base}/${PIPELINE_FILE}`, detail: 'a fresh render produces this file' });
  else if (!pipeline.equals(Buffer.from(plan.pipelineText))) {
    const edited = sha256(pipeline) !== lock.pipeline_hash;
    drift.push({ cause: 'pipeline changed', path: `${base}/${PIPELINE_FILE}`, detail: edited ? 'edited since render (differs from lock.json)' : 'stale: a fresh render differs' });
  }
  if (drift.length === 0) {
    if (lockText !== plan.lockText) {
      drift.push({ cause: 'file modified', path: `${base}/${LOCK_FILE}`, detail: lock.engine_version !== plan.lock.engine_version ? `engine version ${lock.engine_version} -> ${plan.lock.engine_version}` : 'lock.json does not match a fresh render' });
    }
  }
  return { platform, drift };
}
