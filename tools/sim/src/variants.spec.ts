/**
 * Variants of the example in the simulated datacenter: the same unchanged scripts on other settings.
 */
import { describe, expect, it } from 'vitest';
import { calls, editAndRender, simFor } from './testing';

// Whole simulated bootstraps: seconds each, more on a loaded machine.
describe('platform variants in the simulated datacenter', { timeout: 180_000 }, () => {
  it('Cilium with BGP: the BGP object is applied after Cilium is up, in the API version its CRD serves', async () => {
    const sim = await simFor();
    await editAndRender(sim, 'platforms/example/platform.yaml', (y) => y.replace('    version: v1.18.5\n', '    version: v1.18.5\n    bgp_enabled: true\n    bgp_asn: 65001\n'));
    const r = await sim.ztc(['bootstrap', 'example', '--stage', 'pre-work']);
    expect(r.code).toBe(0);
    for (const stage of ['bootstrap', 'post-work']) expect((await sim.ztc(['bootstrap', 'example', '--stage', stage])).code).toBe(0);
    expect(calls(sim, (c) => c.step === 'cilium/install' && c.tool === 'kubectl' && c.argv[0] === 'apply')).toEqual([
      'cilium/install | kubectl apply --server-side --field-manager=ztc -f platforms/example/generated/cilium/bgp-cluster-config.yaml',
    ]);
    const bgp = sim.world.cluster.objects.get('CiliumBGPClusterConfig//default');
    expect(bgp).toMatchObject({ apiVersion: 'cilium.io/v2', spec: { bgpInstances: [{ localASN: 65001 }] } });
  });
});
