/**
 * pipeline.yaml: the bootstrap plan built from each adapter's declared scripts, stage by stage in the
 * fixed stage order and the resolved adapter order (CONTRACT §4). Contexts are resolved here, at
 * render time, so bootstrap runs exactly what was rendered and reviewed.
 */
import { join } from 'node:path';
import type { AdapterManifest, ScriptDecl } from '../adapter/types';
import { GENERATED_MARKER, STAGES, type Stage } from '../constants';
import { stepLibs } from './script-libs';
import { ConfigError } from '../errors';
import { interpolate, resolveValue } from '../sdk/template';
import type { PlatformMetadata } from '../sdk/types';
import { ContentCache } from '../util/content-cache';
import { jsonExact } from '../util/json-safety';
import { FileDigests } from '../util/file-digests';
import { compareStrings, hashFileSet, sha256 } from '../util/hash';
import type { AdapterOutput } from './render-adapter';

export interface PipelineStep {
  id: string;
  adapter: string;
  adapter_version: string;
  script: string;
  sha256: string;
  /** sha256 over the adapter's rendered files (path → sha256 set), which its steps read. */
  files_sha256: string;
  /** The adapter's rendered files (path under generated/ → sha256) that files_sha256 covers: plan names the ones that changed. Absent for init scripts. */
  files?: Record<string, string>;
  /** Libraries copied next to the script (file name → sha256): the engine's ztc.sh and the adapter's scripts/lib/*.sh. */
  libs: Record<string, string>;
  description: string;
  /** One line: what the step may disrupt on a live system (adapter.yaml `disruptive:`); absent for a step that disrupts nothing. */
  disruptive?: string;
  /** Teardown steps only (adapter.yaml `purge:`): what the step deletes for good; it runs only under `ztc destroy --purge-private`. */
  purge?: string;
  timeout_seconds: number;
  required: boolean;
  secret_env: string[];
  context: Record<string, unknown>;
}

export interface PipelineTool {
  name: string;
  install?: string;
  adapters: string[];
}

export interface Pipeline {
  version: 1;
  platform: string;
  tools: PipelineTool[];
  preflight: PipelineStep[];
  stages: { name: Stage; steps: PipelineStep[] }[];
  /** `ztc destroy`: every adapter's `scripts.teardown`, adapters in the reverse of the resolved order, each adapter's steps as listed. */
  teardown: PipelineStep[];
  /** `ztc backup`: every adapter's `backup` script, in the resolved adapter order. */
  backup: PipelineStep[];
}

export interface PipelineInput {
  workspaceRoot: string;
  platform: PlatformMetadata;
  order: string[];
  adapters: ReadonlyMap<string, AdapterManifest>;
  configs: ReadonlyMap<string, Record<string, unknown>>;
  outputs: ReadonlyMap<string, AdapterOutput>;
  /** Final generated files (path relative to generated/ → content), headers included. */
  files: ReadonlyMap<string, string>;
  /** Digests of workspace files, shared with the rest of the render. @default a new FileDigests */
  digests?: FileDigests;
}

/**
 * One step as pipeline.yaml holds it: everything its receipt key covers (receipts.ts) comes from here,
 * for pipeline steps and for init scripts alike.
 */
export function pipelineStep(
  workspaceRoot: string,
  adapter: AdapterManifest,
  decl: ScriptDecl,
  parts: { libs: Record<string, string>; filesSha256: string; files?: Record<string, string>; context: Record<string, unknown>; digests?: FileDigests },
): PipelineStep {
  const script = `${adapter.root}/${decl.file}`;
  return {
    id: `${adapter.name}/${decl.name}`,
    adapter: adapter.name,
    adapter_version: adapter.version,
    script,
    sha256: (parts.digests ?? new FileDigests()).of(join(workspaceRoot, script)),
    libs: parts.libs,
    files_sha256: parts.filesSha256,
    ...(parts.files && { files: parts.files }),
    description: decl.description,
    ...(decl.disruptive !== undefined && { disruptive: decl.disruptive }),
    ...(decl.purge !== undefined && { purge: decl.purge }),
    timeout_seconds: decl.timeoutSeconds,
    required: decl.required,
    secret_env: [...decl.secretEnv],
    context: parts.context,
  };
}

export function buildPipeline(input: PipelineInput): Pipeline {
  const digests = input.digests ?? new FileDigests();
  const libsOf = new Map<string, Record<string, string>>();
  const libs = (adapter: AdapterManifest): Record<string, string> => {
    let own = libsOf.get(adapter.name);
    if (!own) libsOf.set(adapter.name, (own = stepLibs(input.workspaceRoot, adapter, digests)));
    return own;
  };
  const filesOf = new Map<string, { files: Record<string, string>; hash: string }>();
  const renderedFiles = (adapter: string): { files: Record<string, string>; hash: string } => {
    let own = filesOf.get(adapter);
    if (!own) {
      const paths = Object.keys(input.outputs.get(adapter)?.files ?? {}).sort(compareStrings);
      const files = Object.fromEntries(paths.map((p) => [p, sha256(input.files.get(p) ?? '')]));
      filesOf.set(adapter, (own = { files, hash: hashFileSet(files) }));
    }
    return own;
  };
  const step = (adapter: AdapterManifest, decl: ScriptDecl, where: string): PipelineStep => {
    const context = stepContext(input, adapter, decl, where);
    return pipelineStep(
      input.workspaceRoot,
      adapter,
      { ...decl, ...(decl.purge !== undefined && { purge: purgeText(adapter, decl.purge, context, where) }) },
      {
        libs: libs(adapter),
        filesSha256: renderedFiles(adapter.name).hash,
        files: renderedFiles(adapter.name).files,
        context,
        digests,
      },
    );
  };
  const tools = new Map<string, PipelineTool>();
  for (const name of input.order) {
    for (const t of input.adapters.get(name)!.tools) {
      const entry = tools.get(t.name) ?? { name: t.name, adapters: [] };
      entry.install ??= t.install;
      entry.adapters.push(name);
      tools.set(t.name, entry);
    }
  }
  const adapters = input.order.map((n) => input.adapters.get(n)!);
  const stages = STAGES.map((stage) => ({
    name: stage,
    steps: adapters.flatMap((a) => a.scripts[stage].map((s, i) => step(a, s, `scripts.${stage}[${i}]`))),
  }));
  return {
    version: 1,
    platform: input.platform.name,
    tools: [...tools.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    preflight: adapters.filter((a) => a.checkHealth).map((a) => step(a, a.checkHealth!, 'check_health')),
    stages,
    teardown: teardownOrder(adapters, stages).flatMap((a) => a.teardown.map((s, i) => step(a, s, `scripts.teardown[${i}]`))),
    backup: adapters.filter((a) => a.backup).map((a) => step(a, a.backup!, 'backup')),
  };
}

/**
 * The adapters in the order destroy tears them down: the reverse of the order in which bootstrap last acts on
 * each (its last pre-work, bootstrap or post-work step), so what was installed last goes first: Crossplane and
 * Argo CD before Cilium, Cilium before the nodes are reset, the nodes before the cloud's rescue key. That is
 * not the render order: Cilium renders before Talos (Talos consumes its cni payload) but runs on the cluster
 * Talos makes. Adapters without such steps installed nothing: they go last, in reverse render order.
 */
export function teardownOrder(adapters: readonly AdapterManifest[], stages: readonly { name: Stage; steps: readonly PipelineStep[] }[]): AdapterManifest[] {
  const last = new Map<string, number>();
  stages
    .filter((s) => s.name !== 'validation')
    .flatMap((s) => s.steps)
    .forEach((s, i) => last.set(s.adapter, i));
  const rank = new Map(adapters.map((a, i) => [a.name, i]));
  const key = (a: AdapterManifest) => last.get(a.name) ?? -1;
  return [...adapters].sort((a, b) => key(b) - key(a) || rank.get(b.name)! - rank.get(a.name)!);
}

/**
 * A teardown step's `purge:` with `{{ context.<path> }}` filled in from the step's own context, so that
 * plan and destroy name what is deleted (`s3://acme-secrets/ztc/…/age.key`), not a pattern of it.
 */
function purgeText(adapter: AdapterManifest, purge: string, context: Record<string, unknown>, where: string): string {
  try {
    return interpolate(purge, { context });
  } catch (e) {
    throw ConfigError.one({ file: adapter.file, path: `${where}.purge`, message: (e as Error).message, hint: "reference the step's own context as {{ context.<field> }}" });
  }
}

function stepContext(input: PipelineInput, adapter: AdapterManifest, decl: ScriptDecl, where: string): Record<string, unknown> {
  const output = input.outputs.get(adapter.name)!;
  const capabilities: Record<string, unknown> = { ...output.capabilities };
  for (const r of adapter.requires) {
    const provider = [...input.outputs.values()].find((o) => r.capability in o.capabilities);
    if (provider) capabilities[r.capability] = provider.capabilities[r.capability];
  }
  const vars = { config: input.configs.get(adapter.name) ?? {}, platform: input.platform, capabilities };
  try {
    return {
      ...(resolveValue(decl.context, vars) as Record<string, unknown>),
      ...(output.scriptContext[decl.name] ?? {}),
    };
  } catch (e) {
    throw ConfigError.one({
      file: adapter.file,
      path: `${where}.context`,
      message: (e as Error).message,
      hint: 'reference config.<field>, platform.<field> or capabilities.<name>.<field>',
    });
  }
}

/**
 * Serialized pipelines by content (content-cache.ts): YAML serialization costs ~30 ms in a fresh process
 * before V8 has compiled the serializer, and an unchanged platform serializes the same pipeline again.
 * Bump the version when the options below change.
 */
const serialized = new ContentCache('pipeline', `yaml-${(require('yaml/package.json') as { version: string }).version}-1`);

export function serializePipeline(pipeline: Pipeline): string {
  const header = `# ${GENERATED_MARKER[0]} for platform ${pipeline.platform}. ${GENERATED_MARKER[1]}; run "ztc render ${pipeline.platform}".\n`;
  const key = jsonExact(pipeline, true) ? JSON.stringify(pipeline) : undefined;
  let body = key === undefined ? undefined : serialized.get(key);
  if (body === undefined) {
    const { stringify } = require('yaml') as typeof import('yaml');
    body = stringify(pipeline, { lineWidth: 0, aliasDuplicateObjects: false });
    if (key !== undefined) serialized.set(key, body);
  }
  return header + body;
}
