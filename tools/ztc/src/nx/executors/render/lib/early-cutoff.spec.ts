import { describe, expect, it } from 'vitest';
import type { RenderExecutorSchema } from '../schema';
import { canLeaveOut, consumedFiles, type Outcome } from './early-cutoff';

const config: RenderExecutorSchema = { platform: 'p', step: 'config' };
const net: RenderExecutorSchema = { platform: 'p', step: 'adapter', adapter: 'net' };
const app: RenderExecutorSchema = { platform: 'p', step: 'adapter', adapter: 'app' };
const assemble: RenderExecutorSchema = { platform: 'p', step: 'assemble' };
const ran = (...changed: string[]): Outcome => ({ kind: 'ran', changed: new Set(changed) });
const yes = (): boolean => true;
const no = (): boolean => false;
const NET_CAPS = 'platforms/p/.ztc/render/net.capabilities.json';

describe('consumedFiles', () => {
  it('names exactly the files each dependentTasksOutputFiles input hashes', () => {
    expect(consumedFiles(app, config, 'platforms/p')).toEqual(['platforms/p/.ztc/render/config/app.json']);
    expect(consumedFiles(app, net, 'platforms/p')).toEqual([NET_CAPS]);
    expect(consumedFiles(assemble, net, 'platforms/p')).toEqual(['platforms/p/.ztc/render/net.json', NET_CAPS]);
  });
});

describe('canLeaveOut', () => {
  it.each<[string, Parameters<typeof canLeaveOut>[0], boolean]>([
    [
      'provider ran, its payload is unchanged',
      { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: ran('platforms/p/.ztc/render/net.json') }], upToDate: yes },
      true,
    ],
    ['provider ran and its payload changed', { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: ran(NET_CAPS) }], upToDate: yes }, false],
    [
      "another adapter's slice changed",
      { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: config, outcome: ran('platforms/p/.ztc/render/config/net.json') }], upToDate: yes },
      true,
    ],
    [
      'its own slice changed',
      { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: config, outcome: ran('platforms/p/.ztc/render/config/app.json') }], upToDate: yes },
      false,
    ],
    ['provider was left out itself', { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: { kind: 'left-out' } }], upToDate: yes }, true],
    ['no dependency in the batch (it missed the cache)', { options: app, platformDir: 'platforms/p', depsInBatch: [], upToDate: yes }, false],
    [
      'its own inputs or outputs changed since its last render (stamp)',
      { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: ran() }], upToDate: no },
      false,
    ],
    ['a dependency failed', { options: app, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: { kind: 'failed' } }], upToDate: yes }, false],
    ['it is the assemble step', { options: assemble, platformDir: 'platforms/p', depsInBatch: [{ options: net, outcome: ran() }], upToDate: yes }, false],
  ])('%s → %s', (_name, query, expected) => {
    expect(canLeaveOut(query)).toBe(expected);
  });
});
