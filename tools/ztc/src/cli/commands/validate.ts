import { FORMAT_VERSION } from '../../json-format';
import { driftDiff } from '../../validate/drift-diff';
import { diskCache } from '../../util/content-cache';
import { validatePlatform } from '../../validate/validate';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Re-render in memory and report drift against lock.json and the files on disk',
  usage: 'ztc validate [platform] [--json] [--diff]',
  optionHelp: [
    '--json   print one JSON document {format_version, platform, clean, drift: [{code, cause, path, reason, detail}]} on stdout',
    '--diff   show the unified diff of each drifted file: on disk (a/) → a fresh render (b/); with --json, as "diff"',
  ],
  options: { json: { type: 'boolean' }, diff: { type: 'boolean' } },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const result = validatePlatform(workspaceRoot, platform, { cache: diskCache() });
    const { drift } = result;
    const exitCode = drift.length === 0 ? 0 : 2;
    const diffs = values.diff ? drift.map((d) => driftDiff(workspaceRoot, d, result)) : [];
    if (values.json) {
      const entries = drift.map((d, i) => (values.diff ? { ...d, diff: diffs[i] || null } : d));
      io.out(JSON.stringify({ format_version: FORMAT_VERSION, command: 'validate', platform, ok: true, exit_code: exitCode, clean: drift.length === 0, drift: entries }, null, 2));
    }
    const say = values.json ? io.err : io.out;
    const where = platformPath(workspaceRoot, platform);
    if (drift.length === 0) {
      say(`${where}: no drift (generated files, pipeline.yaml and lock.json match a fresh render)`);
      return exitCode;
    }
    say(`${where}: ${drift.length} difference${drift.length === 1 ? '' : 's'} from a fresh render:`);
    const width = Math.max(...drift.map((d) => d.cause.length));
    for (const d of drift) say(`  ${d.cause.padEnd(width)}  ${d.path}  (${d.detail})`);
    if (values.diff && !values.json) for (const diff of diffs.filter(Boolean)) say(diff);
    say(`run "ztc render ${platform}" to regenerate, or revert the edits`);
    return exitCode;
  },
};
