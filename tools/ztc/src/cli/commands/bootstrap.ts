import { STAGES, type Stage } from '../../constants';
import { UsageError } from '../../errors';
import { markReported } from '../../json-format';
import { pickPlatform, type Command } from '../command';

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: 'Run the rendered pipeline: pre-flight checks, then pre-work, bootstrap, post-work, validation',
  usage: 'ztc bootstrap [platform] [--dry-run] [--fresh] [--json] [--stage <stage>]',
  optionHelp: [
    '--dry-run        check everything and show what would run or be skipped; run nothing',
    '--fresh          ignore receipts: run every step again',
    '--json           one JSON event per line on stdout; human text on stderr',
    `--stage <stage>  run one stage only (${STAGES.join(', ')}); earlier stages must be done`,
  ],
  options: { 'dry-run': { type: 'boolean' }, fresh: { type: 'boolean' }, json: { type: 'boolean' }, stage: { type: 'string' } },
  maxPositionals: 1,
  jsonLines: true,
  async run({ positionals, values, workspaceRoot, io }) {
    const stage = values.stage as string | undefined;
    if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) {
      throw new UsageError(`unknown stage "${stage}" (expected one of ${STAGES.join(', ')})`);
    }
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    // Loaded on use: `ztc render` should not pay for the bootstrap engine's modules.
    const { createReporter, runBootstrap, withTerminationSignals } = require('../../bootstrap') as typeof import('../../bootstrap');
    const result = await withTerminationSignals((signal) =>
      runBootstrap({
        workspaceRoot,
        platform,
        stage: stage as Stage | undefined,
        fresh: values.fresh === true,
        dryRun: values['dry-run'] === true,
        env: io.env,
        signal,
        onEvent: createReporter(io, { json: values.json === true }),
        // Nx stage targets set ZTC_RESUME_COMMAND (the chain's own target); by hand it is this command.
        resumeCommand: io.env.ZTC_RESUME_COMMAND || `npx ztc bootstrap ${platform}${stage ? ` --stage ${stage}` : ''}`,
      }),
    );
    if (result.error) {
      if (values.json) markReported(result.error); // run_finished carried it
      throw result.error;
    }
    return result.exitCode;
  },
};
