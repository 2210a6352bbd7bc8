/** Runs `ztc` in-process (same code path as the bin) and captures its output and exit code. */
import { main } from '../src/cli/main';
import type { Prompter } from '../src/init/prompter';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** With a `prompter`, the command runs as in a terminal (interactive) and prompts through it. */
export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, prompter?: Prompter): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    env: { ...process.env, ...env },
    interactive: prompter !== undefined,
    prompter,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
