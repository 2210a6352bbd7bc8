/** A small argv parser for the simulated CLIs: `--flag value`, `--flag=value`, `-f value`, booleans. */

export interface ArgSpec {
  /** Flags that take a value (long names without dashes; short ones as single letters). */
  values: string[];
  /** Short → long aliases (`n` → `nodes`). */
  aliases?: Record<string, string>;
}

export interface ParsedArgs {
  /** Every value given for a flag, in order (`--config-patch a --config-patch b`). */
  flags: Map<string, string[]>;
  /** Flags given without a value (`--force`, `--insecure`), and `--x=false` as absent. */
  bools: Set<string>;
  positionals: string[];
  /** Everything after a bare `--`. */
  rest: string[];
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const takes = new Set(spec.values);
  const out: ParsedArgs = { flags: new Map(), bools: new Set(), positionals: [], rest: [] };
  const add = (name: string, value: string) => out.flags.set(name, [...(out.flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const short = /^-([A-Za-z])(.*)$/s.exec(arg);
    if (!long && !short) {
      out.positionals.push(arg);
      continue;
    }
    const rawName = long ? long[1]! : short![1]!;
    const name = spec.aliases?.[rawName] ?? rawName;
    const inline = long ? long[2] : short![2] || undefined;
    if (takes.has(name)) {
      add(name, inline ?? argv[++i] ?? '');
    } else if (inline === 'false') {
      out.bools.delete(name);
    } else {
      out.bools.add(name);
    }
  }
  return out;
}

export const first = (a: ParsedArgs, name: string): string | undefined => a.flags.get(name)?.[0];
/** All values of a list flag, comma lists split (`--nodes a,b --nodes c`). */
export const list = (a: ParsedArgs, name: string): string[] => (a.flags.get(name) ?? []).flatMap((v) => v.split(',')).filter(Boolean);
