import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../testing/temp-workspace';
import { planRender } from './plan';

describe('planRender on the example adapters', () => {
  it('renders the example platform in capability order', () => {
    const ws = tempWorkspace();
    for (const a of ['hetzner', 'cilium', 'talos']) ws.copyFromRepo(`adapters/${a}`);
    ws.copyFromRepo('platforms/example/platform.yaml');
    const plan = planRender(ws.root, 'example');
    expect(plan.resolution.order).toEqual(['cilium', 'hetzner', 'talos']);
    expect([...plan.files.keys()]).toContain('talos/nodes/cp-1.yaml');
  });
});
