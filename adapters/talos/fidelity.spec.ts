/**
 * Fidelity: what talos renders for the example platform is what Talos v1.11 accepts. Each patch must fit
 * the machine-config schema (unknown keys are errors), and the merged configs must keep the rules the
 * schema cannot express (v1alpha1_validation.go): an install disk, a CNI of none without urls, no etcd or
 * CA keys from patches on workers, node labels a worker may set.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPlatform } from '@ztc/engine/testing';
import { describeErrors, upstreamValidator } from '../../tools/upstream/upstream';

/** This repository: the specs render its example platform. */
const REPO_ROOT = join(__dirname, '..', '..');

const plan = renderPlatform(REPO_ROOT, 'example');
const talosFiles = [...plan.files].filter(([p]) => p.startsWith('talos/'));
const validate = upstreamValidator('talos/v1.11.5/config.schema.json', 'v1alpha1.Config');

type Doc = Record<string, any>;

/** Strategic merge as Talos does it for these patches: maps merge, lists append. */
function merge(a: Doc, b: Doc): Doc {
  const out: Doc = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (Array.isArray(v) && Array.isArray(out[k])) out[k] = [...out[k], ...v];
    else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') out[k] = merge(out[k], v);
    else out[k] = v;
  }
  return out;
}

const patch = (p: string): Doc => parse(plan.files.get(p)!);
const configFor = (node: string): Doc =>
  [patch('talos/patches/cluster.yaml'), patch('talos/patches/kubernetes.yaml'), patch(`talos/nodes/${node}.yaml`)].reduce(merge, { version: 'v1alpha1' });

describe('talos output against the Talos v1.11.5 machine-config schema', () => {
  it.each(talosFiles.map(([p]) => p))('%s is a valid v1alpha1 patch', (path) => {
    const ok = validate(patch(path));
    expect(describeErrors(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth: an unknown key or a wrong type is refused', () => {
    expect(validate({ machine: { instal: { disk: '/dev/sda' } } })).toBe(false);
    expect(validate({ machine: { install: { disk: 7 } } })).toBe(false);
  });

  it.each(['cp-1', 'worker-1', 'worker-2'])('the merged config of %s keeps the rules Talos checks in code', (node) => {
    const config = configFor(node);
    expect(validate(config)).toBe(true);
    expect(config.machine.install.disk).toMatch(/^\/dev\//);
    expect(config.machine.install.image).toBe('factory.talos.dev/hcloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.5');
    expect(config.cluster.network.cni).toEqual({ name: 'none' });
    expect(config.cluster.proxy).toEqual({ disabled: true });
    expect(config.machine.features.kubePrism).toEqual({ enabled: true, port: 7445 });
    if (config.machine.type === 'worker') {
      expect(config.cluster.etcd).toBeUndefined();
      expect(config.machine.ca).toBeUndefined();
      for (const label of Object.keys(config.machine.nodeLabels ?? {})) {
        const restricted = /(^|\.)(kubernetes\.io|k8s\.io)\//.test(label) && !/^(node|kubelet)\.kubernetes\.io\//.test(label);
        expect(restricted, `worker label ${label} would be refused by NodeRestriction`).toBe(false);
      }
    }
  });

  it('each node patch sets the machine type of the base it is applied to', () => {
    const ctx = plan.steps.find((s) => s.id === 'talos/gen-config')!.context as Doc;
    for (const node of ctx.nodes as { name: string; role: string }[]) {
      expect(patch(ctx.node_patches[node.name]).machine.type).toBe(node.role);
    }
  });
});
