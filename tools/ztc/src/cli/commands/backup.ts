import { markReported } from '../../json-format';
import { pickPlatform, type Command } from '../command';

export const backupCommand: Command = {
  name: 'backup',
  summary: "Run every adapter's backup script (e.g. an etcd snapshot into the private dir) and say where the backup went",
  usage: 'ztc backup [platform] [--dry-run] [--json]',
  optionHelp: ['--dry-run   list the backup scripts; run nothing', '--json      one JSON event per line on stdout; human text on stderr'],
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  maxPositionals: 1,
  jsonLines: true,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const { createReporter, runBackup, withTerminationSignals } = require('../../bootstrap') as typeof import('../../bootstrap');
    const result = await withTerminationSignals((signal) =>
      runBackup({
        workspaceRoot,
        platform,
        dryRun: values['dry-run'] === true,
        env: io.env,
        signal,
        onEvent: createReporter(io, { json: values.json === true }),
        resumeCommand: `npx ztc backup ${platform}`,
      }),
    );
    if (result.error) {
      if (values.json) markReported(result.error);
      throw result.error;
    }
    return result.exitCode;
  },
};
