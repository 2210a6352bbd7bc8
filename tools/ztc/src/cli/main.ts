/**
 * `ztc` entry point: parses argv, dispatches to a command and maps every error to its documented exit
 * code in one place (CONTRACT §2). Commands never call process.exit.
 */
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import { ENGINE_VERSION } from '../constants';
import { ConfigError, ExitCode, isZtcError, UsageError } from '../errors';
import { errorDocument, wasReported } from '../json-format';
import { closest } from '../util/paths';
import { findWorkspaceRoot } from '../workspace/workspace';
import type { Command, Io } from './command';
import { COMMANDS } from './commands';

const GLOBAL_HELP = ['--verbose   print stack traces for errors', '--help      show help (-h)'];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `ztc ${ENGINE_VERSION}: platform composition engine for bare-metal Kubernetes`,
    '',
    'Usage: ztc <command> [platform] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...[...GLOBAL_HELP, '--version   print the version (-v)'].map((l) => `  ${l}`),
    '',
    'Exit codes: 0 ok, 1 step failed or internal error, 2 drift, 3 invalid configuration,',
    '            64 usage error, 124 script timeout, 130 interrupted (SIGINT), 143 terminated (SIGTERM).',
    'Run "ztc <command> --help" for a command\'s options.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.summary, '', 'Options:', ...[...c.optionHelp, ...GLOBAL_HELP].map((l) => `  ${l}`)].join('\n');
}

const defaultIo = (): Io => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  env: process.env,
  // isatty(0), not process.stdin.isTTY: touching process.stdin sets up a stream (~8 ms) no command needs.
  interactive: isatty(0) && process.stdout.isTTY === true,
});

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    return await dispatch(argv, io);
  } catch (e) {
    return report(e, io, verbose, jsonCommand(argv));
  }
}

/** The command when it was asked for `--json` output: its failures are then a JSON document too. */
function jsonCommand(argv: string[]): Command | undefined {
  const command = COMMANDS.find((c) => c.name === argv[0]);
  return command?.options.json && argv.slice(1).includes('--json') ? command : undefined;
}

const VERSION_FLAGS = ['--version', '-v'];
const HELP_FLAGS = ['--help', '-h', 'help'];

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP_FLAGS.includes(name)) {
    (name === undefined ? io.err : io.out)(mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (VERSION_FLAGS.includes(name)) {
    io.out(ENGINE_VERSION);
    return ExitCode.ok;
  }
  if (name.startsWith('-')) {
    throw new UsageError(`unknown option "${name}"\nUsage: ztc <command> [platform] [options]\nRun "ztc --help" for the commands and their options.`);
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    throw new UsageError(`unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; run "ztc --help"`);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${parseError(e as Error & { code?: string }, command)}\nUsage: ${command.usage}\nRun "ztc ${command.name} --help" for its options.`);
  }
  if (parsed.values.help) {
    io.out(commandHelp(command));
    return ExitCode.ok;
  }
  if (parsed.positionals.length > command.maxPositionals) {
    throw new UsageError(`too many arguments: ${parsed.positionals.join(' ')}\nUsage: ${command.usage}`);
  }
  return command.run({
    positionals: parsed.positionals,
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    workspaceRoot: findWorkspaceRoot(io.cwd),
    io,
  });
}

/** node:util parseArgs errors in ztc's words (its own mention `'--x'` and how to pass a positional). */
function parseError(e: Error & { code?: string }, command: Command): string {
  const option = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  const flag = option.split(' ')[0];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const known = Object.keys(command.options).map((o) => `--${o}`);
      const guess = closest(flag ?? '', known);
      return `unknown option "${flag}" for "ztc ${command.name}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `option "${option}" of "ztc ${command.name}" needs a value`;
    default:
      return e.message.split('\n')[0]!;
  }
}

function report(e: unknown, io: Io, verbose: boolean, json: Command | undefined): number {
  if (json && !wasReported(e)) {
    const doc = errorDocument(json.name, e);
    // An event stream stays one object per line, each with an `event`.
    io.out(json.jsonLines ? JSON.stringify({ ...doc, event: 'error' }) : JSON.stringify(doc, null, 2));
  }
  if (e instanceof ConfigError) {
    io.err(`error: invalid configuration (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'}):`);
    for (const line of e.message.split('\n')) io.err(`  ${line}`);
  } else if (isZtcError(e)) {
    io.err(`error: ${e.message}`);
  } else {
    io.err(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    io.err('This is a bug in ztc; please report it with the output of --verbose.');
  }
  if (verbose && e instanceof Error && e.stack) io.err(e.stack);
  return isZtcError(e) ? e.exitCode : ExitCode.failed;
}
