import { ExitCode, ExitError, isZtcError, UsageError } from '../../errors';
import { markReported } from '../../json-format';
import { pickPlatform, type Command, type Io } from '../command';

export const destroyCommand: Command = {
  name: 'destroy',
  summary: "Tear the platform down: run the adapters' teardown scripts in reverse order (servers are never deleted)",
  usage: 'ztc destroy <platform> --confirm <platform> [--dry-run] [--purge-private] [--json]',
  optionHelp: [
    '--confirm <platform>  the platform name again, to confirm (in a terminal, typing it when asked does the same)',
    '--dry-run             list every step and what would be deleted or kept; run and change nothing (no confirmation needed)',
    '--purge-private       also run the purge steps, then delete the private dir and the state (backend and local)',
    '--json                one JSON event per line on stdout; human text on stderr',
  ],
  options: { confirm: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'purge-private': { type: 'boolean' }, json: { type: 'boolean' } },
  maxPositionals: 1,
  jsonLines: true,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const dryRun = values['dry-run'] === true;
    const purgePrivate = values['purge-private'] === true;
    if (!dryRun) await confirm(platform, values.confirm as string | undefined, io);
    const { createReporter, runDestroy, withTerminationSignals } = require('../../bootstrap') as typeof import('../../bootstrap');
    const result = await withTerminationSignals((signal) =>
      runDestroy({
        workspaceRoot,
        platform,
        dryRun,
        purgePrivate,
        env: io.env,
        signal,
        onEvent: createReporter(io, { json: values.json === true }),
        resumeCommand: `npx ztc destroy ${platform} --confirm ${platform}${purgePrivate ? ' --purge-private' : ''}`,
      }),
    );
    if (result.error) {
      if (values.json) markReported(result.error);
      throw result.error;
    }
    return result.exitCode;
  },
};

/** `--confirm <platform>`, or the name typed in a terminal; anything else refuses before anything runs. */
async function confirm(platform: string, given: string | undefined, io: Io): Promise<void> {
  const wrong = (what: string) =>
    new ExitError(`${what} does not match the platform "${platform}"; nothing was run. To destroy it: ztc destroy ${platform} --confirm ${platform}`, ExitCode.invalid, {
      code: 'not_confirmed',
    });
  if (given !== undefined) {
    if (given !== platform) throw wrong(`--confirm ${JSON.stringify(given)}`);
    return;
  }
  if (!io.interactive && !io.prompter) {
    throw new UsageError(
      `ztc destroy ${platform} tears the platform down and cannot be undone: confirm with --confirm ${platform}, or run it in a terminal and type the name when asked; "ztc destroy ${platform} --dry-run" lists what it would do`,
    );
  }
  const prompter = io.prompter ?? (require('../../init/prompter') as typeof import('../../init/prompter')).inquirerPrompter();
  let typed: string;
  try {
    typed = await prompter.text({ message: `This runs the teardown steps of ${platform} against its live cluster. Type the platform name to confirm:` });
  } catch (e) {
    // Ctrl-C at the prompt (the prompter's own message speaks of init).
    if (isZtcError(e) && e.exitCode === ExitCode.interrupted) throw new ExitError('destroy interrupted at the confirmation; nothing was run', ExitCode.interrupted);
    throw e;
  }
  if (typed.trim() !== platform) throw wrong(`the name typed (${JSON.stringify(typed.trim())})`);
}
