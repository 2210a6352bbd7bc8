import { join } from 'node:path';
import { applyRenderPlan } from '../../render/apply';
import { planRender } from '../../render/plan';
import { renderLockWaitMs } from '../../render/render-lock';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

export const renderCommand: Command = {
  name: 'render',
  summary: 'Render a platform: generated/, pipeline.yaml and lock.json (pure, deterministic)',
  usage: 'ztc render [platform]',
  optionHelp: [],
  options: {},
  maxPositionals: 1,
  async run({ positionals, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const plan = planRender(workspaceRoot, platform, { memo: true });
    const where = platformPath(workspaceRoot, platform);
    const result = applyRenderPlan(join(workspaceRoot, where), plan, { lockWaitMs: renderLockWaitMs(io.env) });
    if (!result.changed) {
      io.out(`${where}: up to date (${plan.files.size} files, ${plan.resolution.order.length} adapters)`);
    } else {
      io.out(`${where}: rendered ${plan.files.size} files from ${plan.resolution.order.length} adapters (${plan.resolution.order.join(' -> ')})`);
      for (const p of result.written) io.out(`  wrote    generated/${p}`);
      for (const p of result.removed) io.out(`  removed  generated/${p}`);
    }
    return 0;
  },
};
