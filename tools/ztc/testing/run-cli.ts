/** Runs `ztc` in-process (same code path as the bin) and captures its output and exit code. */
import { main } from '../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    cwd,
    env: { ...process.env, ...env },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
