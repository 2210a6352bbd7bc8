/** What the plugin uses instead of @nx/devkit at run time must behave like it. */
import { AggregateCreateNodesError, DependencyType } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { IMPLICIT, STATIC } from './create-dependencies';
import { nodesFromFiles } from './nodes-from-files';

describe('the plugin without @nx/devkit at run time', () => {
  it("uses DependencyType's values", () => {
    expect(STATIC).toBe(DependencyType.static);
    expect(IMPLICIT).toBe(DependencyType.implicit);
  });

  it('reports the files that failed in an AggregateCreateNodesError, with the results of the others', () => {
    const results = nodesFromFiles(
      (file) => {
        if (file === 'a.yaml') return { projects: { a: { root: 'a' } } };
        throw new Error(`bad ${file}`);
      },
      ['a.yaml'],
    );
    expect(results).toEqual([['a.yaml', { projects: { a: { root: 'a' } } }]]);
    let thrown: unknown;
    try {
      nodesFromFiles(
        (file) => {
          if (file === 'b.yaml') throw new Error('bad b');
          return { projects: {} };
        },
        ['a.yaml', 'b.yaml'],
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AggregateCreateNodesError);
    expect((thrown as AggregateCreateNodesError).errors).toEqual([['b.yaml', new Error('bad b')]]);
    expect((thrown as AggregateCreateNodesError).partialResults).toEqual([['a.yaml', { projects: {} }]]);
  });
});
