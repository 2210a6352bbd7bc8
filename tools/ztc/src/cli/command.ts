/** The shape of a CLI command and the helpers commands share. */
import type { ParseArgsConfig } from 'node:util';
import type { Prompter } from '../init/prompter';
import { ConfigError, UsageError } from '../errors';
import { closest } from '../util/paths';
import { listPlatforms, platformPath } from '../workspace/workspace';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A terminal on both ends: commands may prompt (ztc init). */
  interactive?: boolean;
  /** Prompts to use instead of the terminal's (tests drive the wizard in-process with it). */
  prompter?: Prompter;
}

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  workspaceRoot: string;
  io: Io;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Help text for the options, one line each. */
  optionHelp: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  maxPositionals: number;
  /** `--json` prints one JSON object per line (an event stream), not one document. */
  jsonLines?: boolean;
  run(args: CommandArgs): Promise<number>;
}

/** The platform a command acts on: the one named, or the only one in the workspace. */
export function pickPlatform(workspaceRoot: string, given: string | undefined): string {
  const platforms = listPlatforms(workspaceRoot);
  if (given === undefined) {
    if (platforms.length === 1) return platforms[0]!;
    throw new UsageError(
      platforms.length === 0
        ? `no platform found (expected ${platformPath(workspaceRoot, '<name>')}/platform.yaml); run "ztc init <name>" to create one`
        : `several platforms exist (${platforms.join(', ')}); name one`,
    );
  }
  if (!platforms.includes(given)) {
    const guess = closest(given, platforms);
    throw ConfigError.one({
      file: `${platformPath(workspaceRoot, given)}/platform.yaml`,
      path: '',
      message: `platform "${given}" not found`,
      hint: guess ? `did you mean "${guess}"?` : `existing platforms: ${platforms.join(', ') || 'none'}`,
    });
  }
  return given;
}
