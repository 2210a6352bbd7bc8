/**
 * planRender and validatePlatform use only the cache their caller passes (util/content-cache.ts): none
 * given, they read and write no cache, whatever the process's cache is; given one, what they derive
 * (validators, parsed YAML, the pipeline, transpiled render modules, YAML output that parsed) is kept
 * there and found there the next time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, tempWorkspace } from '../../testing/temp-workspace';
import { applyRenderPlan } from './apply';
import { planRender } from './plan';
import { diskCache, withCache, type EngineCache } from '../util/content-cache';
import { validatePlatform } from '../validate/validate';

/** An EngineCache that keeps values in memory and records every call as `get <kind>` / `set <kind>`. */
function recordingCache(): EngineCache & { calls: string[]; values: Map<string, string> } {
  const values = new Map<string, string>();
  const calls: string[] = [];
  return {
    calls,
    values,
    get(kind, key) {
      calls.push(`get ${kind}`);
      return values.get(`${kind}/${key}`);
    },
    set(kind, key, value) {
      calls.push(`set ${kind}`);
      values.set(`${kind}/${key}`, value);
    },
  };
}

const kinds = (calls: string[], op: 'get' | 'set') => [...new Set(calls.filter((c) => c.startsWith(`${op} `)).map((c) => c.slice(4)))].sort();

describe('the caches behind one interface', () => {
  it('planRender and validatePlatform given no cache use none, not even the one in effect around them', () => {
    const ws = fixtureWorkspace();
    const around = recordingCache();
    const plan = withCache(around, () => planRender(ws.root, 'demo'));
    expect(plan.files.size).toBeGreaterThan(0);
    applyRenderPlan(ws.path('platforms/demo'), plan);
    const result = withCache(around, () => validatePlatform(ws.root, 'demo'));
    expect(result.drift).toEqual([]);
    expect(around.calls).toEqual([]);
  });

  it('keep what they derive in the cache they are given, and find it there the next time', () => {
    const ws = fixtureWorkspace();
    const cache = recordingCache();
    const first = planRender(ws.root, 'demo', { cache });
    expect(kinds(cache.calls, 'set')).toEqual(expect.arrayContaining(['ajv', 'pipeline', 'syntax', 'valid', 'yaml']));
    const kept = cache.values.size;

    cache.calls.length = 0;
    const second = planRender(ws.root, 'demo', { cache });
    expect([...second.files]).toEqual([...first.files]);
    expect(second.pipelineText).toBe(first.pipelineText);
    expect(cache.calls.filter((c) => c.startsWith('set '))).toEqual([]);
    expect(cache.values.size).toBe(kept);

    applyRenderPlan(ws.path('platforms/demo'), second);
    cache.calls.length = 0;
    expect(validatePlatform(ws.root, 'demo', { cache }).drift).toEqual([]);
    expect(kinds(cache.calls, 'get')).toEqual(expect.arrayContaining(['pipeline', 'syntax', 'yaml']));
  });

  it('diskCache keeps each kind in its own folder under the root it is given', () => {
    const ws = fixtureWorkspace();
    const dir = tempWorkspace();
    planRender(ws.root, 'demo', { cache: diskCache(dir.root) });
    expect(readdirSync(dir.root).sort()).toEqual(expect.arrayContaining(['ztc-ajv', 'ztc-pipeline', 'ztc-syntax', 'ztc-valid', 'ztc-yaml']));
    expect(readdirSync(join(dir.root, 'ztc-ajv')).every((f) => f.endsWith('.js'))).toBe(true);
  });
});
