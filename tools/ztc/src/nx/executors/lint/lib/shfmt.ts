/**
 * shfmt, the formatter of every ZTC shell script (the engine's ztc.sh, the adapters' scripts and
 * libraries): lint lists each file that `shfmt` would change. One style, given on the command line so
 * that it holds wherever the engine or an adapter is installed (no .editorconfig needed): two-space
 * indent, `case` patterns indented, `&&`/`||`/`|` starting the continued line.
 */
import { importEsm } from '../../../../util/import-esm';
import type * as Execa from 'execa' with { 'resolution-mode': 'import' };

/** shfmt's options for ZTC scripts: `-i 2 -ci -bn`. Fix a file with `shfmt -w -i 2 -ci -bn FILE`. */
export const SHFMT_FLAGS: readonly string[] = ['-i', '2', '-ci', '-bn'];

export interface ShfmtResult {
  /** One `file: …` line per script that is not formatted, or that shfmt cannot parse. */
  findings: string[];
  /** Set when shfmt could not run at all (not installed, crashed). */
  failure?: string;
}

export async function runShfmt(cwd: string, files: readonly string[]): Promise<ShfmtResult> {
  if (files.length === 0) return { findings: [] };
  const { execa } = await importEsm<typeof Execa>('execa');
  const result = await execa('shfmt', ['-l', ...SHFMT_FLAGS, '--', ...files], { cwd, reject: false, stdin: 'ignore' });
  if (result.failed && result.exitCode === undefined) {
    const missing = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    return {
      findings: [],
      failure: missing ? 'shfmt is not installed (Debian/Ubuntu: apt-get install shfmt; macOS: brew install shfmt)' : `shfmt could not run: ${result.shortMessage}`,
    };
  }
  const fix = `shfmt -w ${SHFMT_FLAGS.join(' ')}`;
  const findings = result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((f) => `${f}: not formatted as ZTC scripts are (run "${fix} ${f}")`);
  // 1 with a message on stderr: a file shfmt cannot parse ("file:line:col: message").
  findings.push(
    ...result.stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${l} (shfmt cannot parse it)`),
  );
  return { findings };
}
