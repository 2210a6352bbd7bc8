import { planBootstrap, type PlanEntry } from '../../bootstrap/plan';
import { ConfigError } from '../../errors';
import { validatePlatform } from '../../validate/validate';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

/** Whether bootstrap would accept the rendered output, and why not. */
function renderState(workspaceRoot: string, platform: string): { upToDate: boolean; problems: string[] } {
  try {
    const { drift } = validatePlatform(workspaceRoot, platform);
    return { upToDate: drift.length === 0, problems: drift.map((d) => `${d.cause}: ${d.path}`) };
  } catch (e) {
    if (e instanceof ConfigError) return { upToDate: false, problems: e.issues.map((i) => `${i.file}: ${i.message}`) };
    throw e;
  }
}

function table(entries: PlanEntry[]): string[] {
  const rows = entries.map((e, i) => [String(i + 1), e.stage, e.step, e.adapter, `${e.timeout_seconds}s`, e.secret_env.join(',') || '-', e.status + (e.required ? '' : ' (optional)')]);
  const head = ['#', 'stage', 'step', 'adapter', 'timeout', 'secrets', 'status'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [head, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what bootstrap would run: steps in order with stage, timeout, secrets and done/pending/changed',
  usage: 'ztc plan [platform] [--json]',
  optionHelp: ['--json   print one JSON document {platform, up_to_date, problems, steps: [...]} on stdout'],
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const steps = planBootstrap(workspaceRoot, platform);
    const { upToDate, problems } = renderState(workspaceRoot, platform);
    if (values.json) {
      io.out(JSON.stringify({ platform, up_to_date: upToDate, problems, steps }, null, 2));
      return 0;
    }
    const pending = steps.filter((s) => s.status !== 'done').length;
    io.out(`${platformPath(workspaceRoot, platform)}: ${steps.length} step${steps.length === 1 ? '' : 's'}, ${steps.length - pending} done, ${pending} to run`);
    if (steps.length > 0) for (const line of table(steps)) io.out(`  ${line}`);
    if (!upToDate) {
      io.err(`warning: the rendered output is stale, so bootstrap would refuse; run "ztc render ${platform}" first:`);
      for (const p of problems) io.err(`  ${p}`);
    }
    return 0;
  },
};
