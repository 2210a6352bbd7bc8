/**
 * The world's call log in words: one line per call, with the session's temp paths replaced by what
 * they stand for, and polls (the same call repeated) folded. Used by `npm run sim` to show what each
 * tool was asked to do, and by tests to assert the sequence.
 */
import type { Call } from './world/world';

export interface PathNames {
  privateDir: string;
  workspace: string;
  tmpDir: string;
}

export function shorten(text: string, p: PathNames): string {
  return text
    .split(`${p.workspace}/platforms/`)
    .join('platforms/')
    .split(p.privateDir)
    .join('$ZTC_PRIVATE_DIR')
    .split(p.workspace)
    .join('$ZTC_WORKSPACE_ROOT')
    .replace(new RegExp(`${p.tmpDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ztc-secure-[A-Za-z0-9]+`, 'g'), '<step-dir>');
}

/** `tool argv…` with arguments that hold spaces quoted; ssh's `-o` options folded (`-o…×7`). */
export function describeCall(c: Call, p: PathNames): string {
  const argv: string[] = [];
  let options = 0;
  for (let i = 0; i < c.argv.length; i++) {
    if (c.tool === 'ssh' && c.argv[i] === '-o') {
      options++;
      i++;
      continue;
    }
    argv.push(c.argv[i]!);
  }
  if (options)
    argv.splice(
      argv.findIndex((a) => /@/.test(a)),
      0,
      `-o…×${options}`,
    );
  const args = argv.map((a) => {
    const lines = a.split('\n');
    if (lines.length > 1) return `'${lines[0]}; … (${lines.length} lines)'`;
    return /[\s"'$]/.test(a) ? `'${a}'` : a;
  });
  return shorten(`${c.tool} ${args.join(' ')}`.trim(), p);
}

/**
 * Lines of the calls (`step | tool argv`), with polls folded: a run of one, two or three calls repeated
 * back to back is kept once, so the sequence does not depend on how often a wait had to ask.
 */
export function transcript(calls: readonly Call[], p: PathNames, filter: (c: Call) => boolean = () => true): string[] {
  return fold(calls.filter(filter).map((c) => `${c.step ?? '-'} | ${describeCall(c, p)}`));
}

export function fold(input: readonly string[]): string[] {
  const lines: string[] = [];
  for (const line of input) {
    lines.push(line);
    for (let k = 1; k <= 3; k++) {
      const n = lines.length;
      if (n >= 2 * k && lines.slice(n - k).every((l, i) => l === lines[n - 2 * k + i])) {
        lines.splice(n - k, k);
        break;
      }
    }
  }
  return lines;
}
