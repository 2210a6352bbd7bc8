import { validatePlatform } from '../../validate/validate';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Re-render in memory and report drift against lock.json and the files on disk',
  usage: 'ztc validate [platform] [--json]',
  optionHelp: ['--json   print one JSON document {platform, clean, drift: [{cause, path, detail}]} on stdout'],
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const { drift } = validatePlatform(workspaceRoot, platform);
    if (values.json) {
      io.out(JSON.stringify({ platform, clean: drift.length === 0, drift }, null, 2));
    }
    const say = values.json ? io.err : io.out;
    if (drift.length === 0) {
      say(`${platformPath(workspaceRoot, platform)}: no drift (generated files, pipeline.yaml and lock.json match a fresh render)`);
      return 0;
    }
    say(`${platformPath(workspaceRoot, platform)}: ${drift.length} difference${drift.length === 1 ? '' : 's'} from a fresh render:`);
    const width = Math.max(...drift.map((d) => d.cause.length));
    for (const d of drift) say(`  ${d.cause.padEnd(width)}  ${d.path}  (${d.detail})`);
    say(`run "ztc render ${platform}" to regenerate, or revert the edits`);
    return 2;
  },
};
