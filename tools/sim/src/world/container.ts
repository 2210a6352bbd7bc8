/**
 * Tools inside a pod's container, for commands run there with `kubectl exec … -- sh -c`: so far the
 * kustomize of Argo CD's repo-server. Without the KSOPS wiring (init container, tools mounted over the
 * image's) that kustomize cannot run the ksops exec plugin; with it, a KSOPS generator decrypts its files
 * with the Age key the container has (SOPS_AGE_KEY_FILE pointing into a mounted Secret), the way KSOPS
 * does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describeErrors, upstreamValidator } from '../../../upstream/upstream';
import { fail, ok, pathIn, type ExecRequest, type ExecResult } from './exec';
import { findObject } from './objects';
import { sopsDecrypt } from './sops';
import type { Doc, World } from './world';

interface Place {
  workload: Doc;
  container: Doc;
  podSpec: Doc;
}

function placeOf(world: World, target: string): Place | undefined {
  const [ns, name, container] = target.split('/');
  const workload = findObject(world, 'Deployment', ns, name ?? '') ?? findObject(world, 'StatefulSet', ns, name ?? '');
  const podSpec = workload?.spec?.template?.spec as Doc | undefined;
  const c = (podSpec?.containers as Doc[] | undefined)?.find((x) => x.name === container);
  return workload && podSpec && c ? { workload, container: c, podSpec } : undefined;
}

/** The container's kustomize has ksops when the KSOPS patch put both binaries in place. */
function hasKsops(p: Place): boolean {
  const mounts = (p.container.volumeMounts ?? []) as Doc[];
  const init = ((p.podSpec.initContainers ?? []) as Doc[]).some((c) => String(c.image).startsWith('viaductoss/ksops:') && (c.command as string[] | undefined)?.includes('install'));
  return init && ['/usr/local/bin/kustomize', '/usr/local/bin/ksops'].every((m) => mounts.some((x) => x.mountPath === m && x.name === 'custom-tools'));
}

/** The Age identities the container sees through SOPS_AGE_KEY_FILE and a mounted Secret. */
function ageIdentities(world: World, p: Place, ns: string): string | undefined {
  const file = ((p.container.env ?? []) as Doc[]).find((e) => e.name === 'SOPS_AGE_KEY_FILE')?.value as string | undefined;
  if (!file) return undefined;
  const mount = ((p.container.volumeMounts ?? []) as Doc[]).find((m) => file.startsWith(`${String(m.mountPath)}/`));
  const volume = ((p.podSpec.volumes ?? []) as Doc[]).find((v) => v.name === mount?.name);
  const secret = volume?.secret ? findObject(world, 'Secret', ns, volume.secret.secretName) : undefined;
  const key = file.slice(String(mount?.mountPath).length + 1);
  const data = secret?.data?.[key];
  return data ? Buffer.from(String(data), 'base64').toString() : undefined;
}

function kustomizeBuild(world: World, req: ExecRequest, p: Place, ns: string): ExecResult {
  const dir = pathIn(req, req.argv.find((x, i) => i > 0 && !x.startsWith('-')) ?? '.');
  const kfile = join(dir, 'kustomization.yaml');
  if (!existsSync(kfile)) return fail(`Error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`);
  const k = parse(readFileSync(kfile, 'utf8')) as Doc;
  const out: Doc[] = [];
  for (const g of (k.generators ?? []) as string[]) {
    const gen = parse(readFileSync(join(dir, g), 'utf8')) as Doc;
    if (gen.kind !== 'ksops') return fail(`Error: generator ${g} is not simulated`);
    if (!req.argv.includes('--enable-alpha-plugins') || !req.argv.includes('--enable-exec'))
      return fail(`Error: external plugins disabled; unable to load external plugin 'ksops'`);
    if (!hasKsops(p)) return fail(`Error: couldn't execute function: exec: "ksops": executable file not found in $PATH`);
    const validate = upstreamValidator('ksops/v4.5.1/ksops-generator.schema.json');
    if (!validate(gen)) return fail(`Error: ksops: invalid generator ${g}: ${describeErrors(validate.errors).join('; ')}`);
    const ids = ageIdentities(world, p, ns);
    for (const f of (gen.files ?? []) as string[]) {
      if (!ids) return fail(`Error: failed to evaluate function: error decrypting file ${f}: Error getting data key: 0 successful groups required, got 0`);
      try {
        out.push(parse(sopsDecrypt(readFileSync(join(dir, f), 'utf8'), ids)) as Doc);
      } catch (e) {
        return fail(`Error: failed to evaluate function: error decrypting file ${f}: ${(e as Error).message}`);
      }
    }
  }
  return ok(out.map((d) => stringify(d)).join('---\n'));
}

export function containerTool(world: World, req: ExecRequest): ExecResult {
  const [ns] = (req.container ?? '').split('/');
  const place = placeOf(world, req.container ?? '');
  if (!place) return fail('command terminated with exit code 137');
  if (req.tool === 'kustomize' && req.argv[0] === 'build') return kustomizeBuild(world, req, place, ns!);
  return fail(`${req.tool}: not simulated in this container`, 127);
}
