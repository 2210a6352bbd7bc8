/** Runs the real `ztc` bin in a child process (what a terminal or CI runs), with a minimal environment. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CliResult } from './run-cli';
import { REPO_ROOT } from './temp-workspace';

export const ZTC_BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

export function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ZTC_BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
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
