/**
 * What @nx/devkit's createNodesFromFiles does, without loading @nx/devkit (~0.2 s, most of a plugin
 * worker's start) on the way: one file at a time, and the files that fail reported together in Nx's
 * AggregateCreateNodesError (from @nx/devkit, loaded only then), so Nx names each file that failed and
 * still gets the projects of the others.
 */
import type { CreateNodesResult } from '@nx/devkit';

export type CreateNodesResults = [file: string, value: CreateNodesResult][];

export function nodesFromFiles(createNodes: (file: string) => CreateNodesResult | undefined, files: readonly string[]): CreateNodesResults {
  const results: CreateNodesResults = [];
  const errors: [file: string, error: Error][] = [];
  for (const file of files) {
    try {
      const value = createNodes(file);
      if (value) results.push([file, value]);
    } catch (e) {
      errors.push([file, e as Error]);
    }
  }
  if (errors.length > 0) {
    const { AggregateCreateNodesError } = require('@nx/devkit') as typeof import('@nx/devkit');
    throw new AggregateCreateNodesError(errors, results);
  }
  return results;
}
