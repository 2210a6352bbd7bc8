/** The one place the lint executor starts a process: shellcheck, with an argv array and explicit cwd. */
import { ENGINE_SCRIPT_LIB_DIR } from '../../../../constants';
import { importEsm } from '../../../../util/import-esm';
import type * as Execa from 'execa' with { 'resolution-mode': 'import' };

export interface ShellcheckResult {
  /** Findings, one `file:line:col: level: message [SCxxxx]` line each. */
  findings: string[];
  /** Set when shellcheck could not run at all (not installed, crashed). */
  failure?: string;
}

export async function runShellcheck(cwd: string, files: readonly string[]): Promise<ShellcheckResult> {
  if (files.length === 0) return { findings: [] };
  const { execa } = await importEsm<typeof Execa>('execa');
  // -x: follow `# shellcheck source=…` directives: the adapter's scripts/lib/ relative to each script
  // (SCRIPTDIR), the engine's ztc.sh (`source=ztc.sh`) in the engine's own folder, wherever it is installed.
  const args = ['--shell=bash', '--format=gcc', '--external-sources', '--source-path=SCRIPTDIR', `--source-path=${ENGINE_SCRIPT_LIB_DIR}`, '--', ...files];
  const result = await execa('shellcheck', args, { cwd, reject: false, stdin: 'ignore' });
  if (result.failed && result.exitCode === undefined) {
    const missing = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    return {
      findings: [],
      failure: missing ? 'shellcheck is not installed (Debian/Ubuntu: apt-get install shellcheck)' : `shellcheck could not run: ${result.shortMessage}`,
    };
  }
  // 0: clean, 1: findings; anything else is shellcheck itself failing.
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    return { findings: [], failure: `shellcheck exited ${result.exitCode}: ${result.stderr.trim()}` };
  }
  return { findings: result.stdout.split('\n').filter((l) => l.trim() !== '') };
}
