/**
 * applyRenderPlan: the writing half of `ztc render`. Writes nothing when the plan equals what is on
 * disk (mtimes stay). Otherwise it builds the complete new output in a sibling temp folder — unchanged
 * files are hard-linked so their mtimes stay too — then swaps it in with renames, lock.json last.
 * A crash before the swap leaves the previous output untouched; leftovers are cleared on the next run.
 * The whole of it runs under the platform's render lock (render-lock.ts), so two renders never share
 * or remove each other's work dirs: a work dir found while holding the lock belongs to a dead render.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_DIR, LOCK_FILE, PIPELINE_FILE } from '../constants';
import { listTree, sameContent } from './disk';
import { acquireRenderLock, DEFAULT_RENDER_LOCK_WAIT_MS } from './render-lock';

const TEMP_PREFIX = '.ztc-render-';

export interface ApplyResult {
  changed: boolean;
  /** Paths (relative to generated/) written with new content. */
  written: string[];
  /** Paths (relative to generated/) removed because no adapter produces them any more. */
  removed: string[];
}

export interface PlannedOutput {
  files: ReadonlyMap<string, string>;
  pipelineText: string;
  lockText: string;
}

export interface ApplyOptions {
  /** How long to wait for another render of the platform to finish. @default 30000 */
  lockWaitMs?: number;
  /**
   * Called under the render lock before anything is compared or written, when the previous output on disk is
   * the one this render replaces: the render-time change check (change-check.ts). A throw writes nothing.
   */
  beforeWrite?: () => void;
}

export function applyRenderPlan(platformDir: string, plan: PlannedOutput, opts: ApplyOptions = {}): ApplyResult {
  const release = acquireRenderLock(platformDir, opts.lockWaitMs ?? DEFAULT_RENDER_LOCK_WAIT_MS);
  try {
    opts.beforeWrite?.();
    return applyLocked(platformDir, plan);
  } finally {
    release();
  }
}

function applyLocked(platformDir: string, plan: PlannedOutput): ApplyResult {
  recoverInterruptedSwap(platformDir);
  const generatedDir = join(platformDir, GENERATED_DIR);
  const current = listTree(generatedDir);
  const written = [...plan.files].filter(([p, c]) => !(current.has(p) && sameContent(current.get(p)!, c))).map(([p]) => p);
  const removed = [...current.keys()].filter((p) => !plan.files.has(p));
  const pipelineSame = sameContent(join(platformDir, PIPELINE_FILE), plan.pipelineText);
  const lockSame = sameContent(join(platformDir, LOCK_FILE), plan.lockText);
  if (written.length === 0 && removed.length === 0 && pipelineSame && lockSame) {
    return { changed: false, written, removed };
  }

  const staging = mkdtempSync(join(platformDir, TEMP_PREFIX));
  try {
    const next = join(staging, GENERATED_DIR);
    mkdirSync(next);
    const fresh = new Set(written);
    for (const [path, content] of plan.files) {
      const target = join(next, path);
      mkdirSync(dirname(target), { recursive: true });
      if (fresh.has(path)) writeFileSync(target, content);
      else keep(current.get(path)!, target);
    }
    const stage = (name: string, content: string, same: boolean): void => {
      if (same) keep(join(platformDir, name), join(staging, name));
      else writeFileSync(join(staging, name), content);
    };
    stage(PIPELINE_FILE, plan.pipelineText, pipelineSame);
    stage(LOCK_FILE, plan.lockText, lockSame);

    if (existsSync(generatedDir)) renameSync(generatedDir, join(staging, 'previous'));
    renameSync(next, generatedDir);
    renameSync(join(staging, PIPELINE_FILE), join(platformDir, PIPELINE_FILE));
    renameSync(join(staging, LOCK_FILE), join(platformDir, LOCK_FILE));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { changed: true, written, removed };
}

/** Reuse an unchanged file without rewriting it (keeps its mtime). */
function keep(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** If a previous run died between the two renames of the swap, put the old output back; drop leftovers. */
function recoverInterruptedSwap(platformDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(platformDir)
      .filter((e) => e.startsWith(TEMP_PREFIX))
      .sort();
  } catch {
    return;
  }
  for (const entry of entries) {
    const previous = join(platformDir, entry, 'previous');
    if (!existsSync(join(platformDir, GENERATED_DIR)) && existsSync(previous)) {
      renameSync(previous, join(platformDir, GENERATED_DIR));
    }
    rmSync(join(platformDir, entry), { recursive: true, force: true });
  }
}
