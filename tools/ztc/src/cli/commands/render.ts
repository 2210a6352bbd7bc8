import { join } from 'node:path';
import { applyRenderPlan } from '../../render/apply';
import { checkChanges } from '../../render/change-check';
import { planRender } from '../../render/plan';
import { renderLockWaitMs } from '../../render/render-lock';
import { beginStamp, finishStamp, stampPaths } from '../../render/render-stamp';
import { diskCache } from '../../util/content-cache';
import { platformPath, shadowedAdapters, shadowNote } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

export const renderCommand: Command = {
  name: 'render',
  summary: 'Render a platform: generated/, pipeline.yaml and lock.json (pure, deterministic)',
  usage: 'ztc render [platform]',
  optionHelp: [],
  options: {},
  maxPositionals: 1,
  async run({ positionals, workspaceRoot, io }) {
    // Before anything is read: the next no-op render may skip the engine (render-stamp.ts).
    const stamp = beginStamp(io.cwd, positionals[0] ?? null);
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const packages = new Set<string>();
    const plan = planRender(workspaceRoot, platform, { memo: true, packages, cache: diskCache() });
    const where = platformPath(workspaceRoot, platform);
    const result = applyRenderPlan(join(workspaceRoot, where), plan, {
      lockWaitMs: renderLockWaitMs(io.env),
      beforeWrite: () =>
        checkChanges({ workspaceRoot, platform, platformFile: plan.platform.file, order: plan.resolution.order, adapters: plan.platform.adapters, next: plan.pipeline }),
    });
    // An installed adapter that one of the workspace's replaces: said on every render (the stamp's line too).
    const notes = shadowedAdapters(workspaceRoot, plan.resolution.order).map((a) => shadowNote(workspaceRoot, a));
    for (const note of notes) io.out(note);
    const upToDate = [...notes, `${where}: up to date (${plan.files.size} files, ${plan.resolution.order.length} adapters)`].join('\n');
    if (!result.changed) {
      io.out(upToDate.slice(upToDate.lastIndexOf('\n') + 1));
    } else {
      io.out(`${where}: rendered ${plan.files.size} files from ${plan.resolution.order.length} adapters (${plan.resolution.order.join(' -> ')})`);
      for (const p of result.written) io.out(`  wrote    generated/${p}`);
      for (const p of result.removed) io.out(`  removed  generated/${p}`);
    }
    if (stamp) finishStamp(stamp, stampPaths(workspaceRoot, io.cwd, plan, packages), upToDate);
    return 0;
  },
};
