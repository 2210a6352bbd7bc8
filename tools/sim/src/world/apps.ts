/**
 * Deleting objects in the simulated cluster the way the API server and the controllers in it do, for
 * teardown: an Argo CD Application carrying the resources finalizer (`resources-finalizer.argocd.argoproj.io`)
 * goes with every resource it manages (cascade: a managed child Application is deleted in turn, its own
 * finalizer honoured) while Argo CD's application controller runs; with no controller running it stays,
 * marked for deletion (`metadata.deletionTimestamp`), as a finalizer holds it on a real cluster. Without
 * the finalizer only the Application goes. Deleting a Namespace deletes what is in it.
 */
import { objectKey, workloadReady } from './objects';
import type { Doc, World } from './world';

export const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

function argoRunning(world: World): boolean {
  const controller = [...world.cluster.objects.values()].find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'argocd-application-controller');
  return !!controller && workloadReady(world, controller);
}

/** Delete the stored object `key` with what its finalizers and owner make go along; false when there is none. */
export function deleteObject(world: World, key: string): boolean {
  const o = world.cluster.objects.get(key);
  if (!o) return false;
  const finalizers = (o.metadata.finalizers ?? []) as string[];
  if (o.kind === 'Application' && String(o.apiVersion).startsWith('argoproj.io/') && finalizers.some((f) => f.startsWith(ARGOCD_RESOURCES_FINALIZER))) {
    if (!argoRunning(world)) {
      o.metadata.deletionTimestamp ??= new Date(world.now()).toISOString();
      return true;
    }
    for (const r of (o.status?.resources ?? []) as Doc[]) {
      const child = objectKey(world, String(r.kind), (r.namespace as string | undefined) ?? o.spec?.destination?.namespace, String(r.name));
      if (child !== key) deleteObject(world, child);
    }
  }
  world.cluster.objects.delete(key);
  if (o.kind === 'Namespace') {
    for (const [k, x] of [...world.cluster.objects]) if (x.metadata?.namespace === o.metadata.name) deleteObject(world, k);
  }
  return true;
}
