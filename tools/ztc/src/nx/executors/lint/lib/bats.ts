/**
 * bats-core, the test runner of the engine's script library (tools/ztc/scripts/test/*.bats): run by the
 * engine's `lint` target and by `npm test` (tools/ztc/scripts/bats.spec.ts). bats comes from npm (the
 * workspace's devDependency `bats`), else from PATH (Debian/Ubuntu: apt-get install bats).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importEsm } from '../../../../util/import-esm';
import type * as Execa from 'execa' with { 'resolution-mode': 'import' };

export interface BatsResult {
  /** One entry per failing test: its `not ok` line and bats' explanation under it. */
  findings: string[];
  /** Set when bats could not run at all (not installed, no test file). */
  failure?: string;
  /** bats' whole TAP output. */
  tap: string;
}

/** The bats executable: the workspace's npm package, else `bats` on PATH. */
export function batsExecutable(workspaceRoot: string): string {
  const fromNpm = join(workspaceRoot, 'node_modules', 'bats', 'bin', 'bats');
  return existsSync(fromNpm) ? fromNpm : 'bats';
}

/** Run every `*.bats` file of `dir` (bats' own temp dirs; a spec never writes elsewhere). */
export async function runBats(workspaceRoot: string, dir: string): Promise<BatsResult> {
  const { execa } = await importEsm<typeof Execa>('execa');
  const result = await execa(batsExecutable(workspaceRoot), ['--formatter', 'tap', dir], { cwd: workspaceRoot, reject: false, stdin: 'ignore', all: true });
  const tap = result.all ?? '';
  if (result.failed && result.exitCode === undefined) {
    const missing = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    return {
      findings: [],
      tap,
      failure: missing ? 'bats is not installed: run "npm ci" (it installs the bats package), or apt-get install bats' : `bats could not run: ${result.shortMessage}`,
    };
  }
  const findings: string[] = [];
  for (const line of tap.split('\n')) {
    if (line.startsWith('not ok ')) findings.push(line);
    else if (line.startsWith('# ') && findings.length > 0 && !/^# bats warning/.test(line)) findings[findings.length - 1] += `\n  ${line.slice(2)}`;
  }
  if (result.exitCode !== 0 && findings.length === 0) return { findings: [], tap, failure: `bats exited ${result.exitCode}: ${tap.trim()}` };
  return { findings, tap };
}
