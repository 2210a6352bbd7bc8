/** Runs the real `ztc` bin in a child process (what a terminal or CI runs), with a minimal environment. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from './child-env';
import type { CliResult } from './run-cli';
import { REPO_ROOT } from './temp-workspace';

export const ZTC_BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

/**
 * The minimal environment a child process of a spec gets (child-env's `minimal` policy): PATH, HOME and
 * TMPDIR, plus the scratch XDG dirs that vitest.config.mts sets, so no private dir or secrets file of a
 * spec ever lands in the real ~/.local or ~/.config; then `extra`.
 */
export function minimalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return childEnv('minimal', { set: extra });
}

export function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ZTC_BIN, ...args], {
      cwd,
      env: minimalEnv(env),
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (input !== undefined) child.stdin!.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
