/**
 * The topological sort of ZTC: Kahn's algorithm with ties broken by name (compareStrings), so the order
 * never depends on the order of files or of a map. The one sort of ZTC: adapters after the adapters they
 * depend on (resolve, init's catalog) and the Nx render batch's tasks after the tasks they depend on.
 */
import { compareStrings } from './hash';

export interface TopoResult {
  /** Every name after its predecessors (those among `names`); with `cycles: 'break'`, all of `names`. */
  order: string[];
  /** With `cycles: 'stop'`: the names left on a cycle (or after one), each with its remaining predecessors. */
  stuck: Map<string, Set<string>>;
}

/**
 * `names` ordered after their predecessors (names outside `names` are ignored). On a cycle, `stop` returns
 * what is left in `stuck`; `break` takes the smallest remaining name next and goes on.
 */
export function topologicalSort(names: Iterable<string>, predecessors: (name: string) => Iterable<string>, cycles: 'stop' | 'break'): TopoResult {
  const all = new Set(names);
  // A name that is its own predecessor is a cycle of one: it stops `stop`; `break` has nothing to order by it.
  const remaining = new Map([...all].map((n) => [n, new Set([...predecessors(n)].filter((p) => all.has(p) && (p !== n || cycles === 'stop')))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([n]) => n);
    const next = ready.sort(compareStrings)[0] ?? (cycles === 'break' ? [...remaining.keys()].sort(compareStrings)[0] : undefined);
    if (next === undefined) break;
    order.push(next);
    remaining.delete(next);
    for (const deps of remaining.values()) deps.delete(next);
  }
  return { order, stuck: remaining };
}
