import { runInit } from '../../init/run-init';
import { shadowedAdapters, shadowNote } from '../../workspace/workspace';
import type { Command } from '../command';

export const initCommand: Command = {
  name: 'init',
  summary: 'Create or update platforms/<platform>/platform.yaml: a wizard in a terminal, or from answers, flags and env vars',
  usage: 'ztc init [platform] [--answers FILE] [--set adapter.field=value]… [--non-interactive] [--all] [--skip-init-scripts]',
  optionHelp: [
    '--answers FILE        values from a YAML file shaped like platform.yaml (any subset of it)',
    "--set a.field=value   a value, typed by the adapter's schema (repeatable; lists comma-separated); also platform.organization, platform.app_name",
    '--non-interactive     never prompt (also without a terminal): exit 3 listing every missing or invalid input',
    '--all                 ask every input again, current values as defaults (wizard)',
    "--skip-init-scripts   do not run the adapters' init scripts (credential checks)",
    'Env vars ZTC_<ADAPTER>_<FIELD> give values too. Precedence: --set > env > --answers > platform.yaml > defaults.',
    'Secrets go to ${ZTC_SECRETS_FILE:-~/.config/ztc/<org>/<app>/<platform>.env} (0600), never into the workspace.',
    'In the wizard "<" goes back one question; a secret may be given as @FILE (a multi-line one: from a file or $EDITOR).',
  ],
  options: {
    answers: { type: 'string' },
    set: { type: 'string', multiple: true },
    'non-interactive': { type: 'boolean' },
    all: { type: 'boolean' },
    'skip-init-scripts': { type: 'boolean' },
  },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const interactive = values['non-interactive'] !== true && io.interactive === true;
    // An installed adapter that one of the workspace's replaces: the workspace's is offered.
    for (const a of shadowedAdapters(workspaceRoot)) io.err(shadowNote(workspaceRoot, a));
    const prompter = interactive ? (io.prompter ?? (require('../../init/prompter') as typeof import('../../init/prompter')).inquirerPrompter()) : undefined;
    return runInit({
      workspaceRoot,
      platform: positionals[0],
      answersFile: values.answers as string | undefined,
      set: (values.set as string[] | undefined) ?? [],
      all: values.all === true,
      skipInitScripts: values['skip-init-scripts'] === true,
      env: io.env,
      cwd: io.cwd,
      io,
      prompter,
    });
  },
};
