import { describe, expect, it } from 'vitest';
import { topologicalSort } from './topo-sort';

const graph: Record<string, string[]> = { talos: ['hetzner'], cilium: [], argocd: ['talos', 'cilium'], hetzner: [], crossplane: ['argocd', 'outside'] };
const preds = (n: string): string[] => graph[n] ?? [];

describe('topologicalSort', () => {
  it('puts every name after its predecessors, ties by name, whatever the input order', () => {
    const expected = ['cilium', 'hetzner', 'talos', 'argocd', 'crossplane'];
    expect(topologicalSort(Object.keys(graph), preds, 'stop')).toEqual({ order: expected, stuck: new Map() });
    expect(topologicalSort(Object.keys(graph).reverse(), preds, 'stop').order).toEqual(expected);
  });

  it('on a cycle either stops with what is stuck or breaks it by name', () => {
    const cyclic = (n: string): string[] => ({ a: ['c'], b: ['a'], c: ['b'], d: [] })[n] ?? [];
    const stopped = topologicalSort(['a', 'b', 'c', 'd'], cyclic, 'stop');
    expect(stopped.order).toEqual(['d']);
    expect([...stopped.stuck.keys()]).toEqual(['a', 'b', 'c']);
    expect(topologicalSort(['a', 'b', 'c', 'd'], cyclic, 'break')).toEqual({ order: ['d', 'a', 'b', 'c'], stuck: new Map() });
  });

  it('counts a name that is its own predecessor as a cycle when stopping, and ignores it when breaking', () => {
    const selfish = (n: string): string[] => ({ a: ['a'], b: ['a'] })[n] ?? [];
    const stopped = topologicalSort(['a', 'b', 'c'], selfish, 'stop');
    expect(stopped.order).toEqual(['c']);
    expect([...stopped.stuck.keys()]).toEqual(['a', 'b']);
    expect(topologicalSort(['a', 'b', 'c'], selfish, 'break').order).toEqual(['a', 'b', 'c']);
  });
});
