import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../../../testing/temp-workspace';
import type { BatchTaskResult } from '../render/executor';
import { batch } from './executor';

const adapter = (name: string): string => `name: ${name}\nversion: 1.0.0\ndescription: Lint batch fixture.\n`;

describe('lint executor (batch)', () => {
  it('lints every adapter of the batch and fails only the broken one', async () => {
    const ws = tempWorkspace({
      'adapters/good/adapter.yaml': adapter('good'),
      'adapters/bad/adapter.yaml': adapter('bad'),
      'adapters/bad/templates/x.yaml': 'a: {{ b | default }}\n',
    });
    const ids = ['good:lint', 'bad:lint'];
    const graph = { roots: ids, tasks: Object.fromEntries(ids.map((id) => [id, { id }])), dependencies: {}, continuousDependencies: {} } as unknown as TaskGraph;
    const results: BatchTaskResult[] = [];
    for await (const r of batch(graph, { 'good:lint': { adapter: 'good' }, 'bad:lint': { adapter: 'bad' } }, { adapter: '' }, { root: ws.root } as ExecutorContext))
      results.push(r);
    const byTask = Object.fromEntries(results.map((r) => [r.task, r.result]));
    expect(byTask['good:lint']).toMatchObject({ success: true, terminalOutput: 'adapters/good: ok (adapter.yaml, 0 templates, 0 scripts)\n' });
    expect(byTask['bad:lint']!.success).toBe(false);
    expect(byTask['bad:lint']!.terminalOutput).toContain('error: adapters/bad/templates/x.yaml: line 1: unsupported template syntax');
  });

  it('schema.json and schema.d.ts name the same options', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8')) as { properties: object; required: string[] };
    const dts = readFileSync(join(__dirname, 'schema.d.ts'), 'utf8');
    const declared = [...dts.matchAll(/^\s+(\w+)(\?)?:/gm)].map((m) => m[1]);
    expect(declared.sort()).toEqual(Object.keys(schema.properties).sort());
    expect(schema.required).toEqual(['adapter']);
  });
});
