import { join } from 'node:path';
import { PLATFORMS_DIR } from '../../constants';
import { applyRenderPlan } from '../../render/apply';
import { planRender } from '../../render/plan';
import { renderLockWaitMs } from '../../render/render-lock';
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
    const plan = planRender(workspaceRoot, platform);
    const result = applyRenderPlan(join(workspaceRoot, PLATFORMS_DIR, platform), plan, { lockWaitMs: renderLockWaitMs(io.env) });
    const where = `${PLATFORMS_DIR}/${platform}`;
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
