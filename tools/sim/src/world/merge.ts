/** Merging Kubernetes-style documents: nested maps merge, anything else is replaced. */
import type { Doc } from './world';

const isMap = (v: unknown): v is Doc => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * `patch` over `base`: maps merge key by key, lists and scalars replace. With `nullDeletes`, a null in
 * the patch removes the key (a JSON merge patch, RFC 7386, as `kubectl patch --type merge` sends it).
 */
export function mergeMaps(base: Doc, patch: Doc, opts: { nullDeletes?: boolean } = {}): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null && opts.nullDeletes) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? mergeMaps(out[k], v, opts) : v;
  }
  return out;
}
