/**
 * Reading platform.yaml: parse (duplicate keys are errors) → top-level schema → every adapter named
 * exists and its adapter.yaml is valid → each section against that adapter's inputs schema, with
 * defaults applied and secret values refused. All problems are collected and reported together.
 */
import { join } from 'node:path';
import platformSchema from '../../schemas/platform.schema.json';
import { compileInputs, readAdapter } from '../adapter/read-adapter';
import type { AdapterManifest } from '../adapter/types';
import { PLATFORM_FILE } from '../constants';
import { ConfigError, type Issue } from '../errors';
import type { PlatformMetadata } from '../sdk/types';
import { closest } from '../util/paths';
import { compile, schemaIssues } from '../util/schema';
import { readYamlFile } from '../util/yaml';
import { listAdapters, platformPath } from '../workspace/workspace';
import { stateIssues } from '../state/issues';

export interface LoadedPlatform {
  name: string;
  /** Workspace-relative platform.yaml path. */
  file: string;
  /** Raw bytes of platform.yaml (hashed into the lock). */
  raw: Buffer;
  metadata: PlatformMetadata;
  /** Adapter name → validated config with defaults applied (no secrets). */
  configs: Map<string, Record<string, unknown>>;
  /** Adapter name → manifest, for the adapters the platform uses. */
  adapters: Map<string, AdapterManifest>;
}

export interface RawPlatform {
  version: string;
  platform?: Record<string, unknown>;
  adapters: Record<string, Record<string, unknown> | null>;
  /** Where bootstrap keeps its state (not an adapter input; see state/config.ts). */
  state?: Record<string, unknown>;
}

/**
 * Parse platform.yaml and check its top-level shape (version, platform, adapters as mappings); adapter
 * sections are not looked at. Shared by `readPlatform` and the Nx plugin, which wires tasks from it.
 */
export function readPlatformShape(workspaceRoot: string, file: string): { raw: Buffer; data: RawPlatform } {
  const { raw, value } = readYamlFile(join(workspaceRoot, file), file);
  return { raw, data: checkPlatformShape(value, file) };
}

/** The top-level shape check of readPlatformShape, for a value already parsed. */
export function checkPlatformShape(value: unknown, file: string): RawPlatform {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ConfigError.one({ file, path: '', message: 'expected a mapping with version, platform and adapters', hint: 'see CONTRACT §3 for the shape of platform.yaml' });
  }
  const data = structuredClone(value) as RawPlatform;
  const validateTop = compile(platformSchema);
  if (!validateTop(data)) throw new ConfigError(schemaIssues(validateTop.errors, data, file, ''));
  return data;
}

/** The error for an adapter name with no adapters/<name>/adapter.yaml, with the closest known name. */
export function unknownAdapterIssue(file: string, name: string, known: readonly string[]): Issue {
  const guess = closest(name, known);
  return {
    file,
    path: `adapters.${name}`,
    message: `unknown adapter "${name}" (no adapters/${name}/adapter.yaml)`,
    hint: guess ? `did you mean "${guess}"?` : `available adapters: ${known.join(', ') || 'none'}`,
  };
}

export function readPlatform(workspaceRoot: string, name: string): LoadedPlatform {
  const file = `${platformPath(workspaceRoot, name)}/${PLATFORM_FILE}`;
  const { raw, data } = readPlatformShape(workspaceRoot, file);
  return platformFromData(workspaceRoot, name, file, raw, data);
}

/** readPlatform's checks on platform.yaml's content (also used by init on the text it is about to write). */
export function platformFromData(workspaceRoot: string, name: string, file: string, raw: Buffer, data: RawPlatform): LoadedPlatform {
  const issues: Issue[] = [...stateIssues(data.state, file)];
  const known = listAdapters(workspaceRoot);
  const adapters = new Map<string, AdapterManifest>();
  const configs = new Map<string, Record<string, unknown>>();
  for (const adapterName of Object.keys(data.adapters).sort()) {
    if (!known.includes(adapterName)) {
      issues.push(unknownAdapterIssue(file, adapterName, known));
      continue;
    }
    let manifest: AdapterManifest;
    try {
      manifest = readAdapter(workspaceRoot, adapterName);
    } catch (e) {
      if (e instanceof ConfigError) {
        issues.push(...e.issues);
        continue;
      }
      throw e;
    }
    adapters.set(adapterName, manifest);
    const section = data.adapters[adapterName] ?? {};
    const sectionIssues = checkSection(manifest, section, file);
    issues.push(...sectionIssues);
    if (sectionIssues.length === 0) configs.set(adapterName, section);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { name, file, raw, metadata: { ...(data.platform ?? {}), name }, configs, adapters };
}

/** Validate one adapter section in place (defaults are applied to `section`). */
function checkSection(manifest: AdapterManifest, section: Record<string, unknown>, file: string): Issue[] {
  const prefix = `adapters.${manifest.name}`;
  const issues: Issue[] = [];
  const props = (manifest.inputs.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [field, schema] of Object.entries(props)) {
    if (schema.secret === true && field in section) {
      issues.push({
        file,
        path: `${prefix}.${field}`,
        message: 'secret value present in platform.yaml (secrets never go into files)',
        hint: `remove it and export ${String(schema.env)} in the environment that runs bootstrap`,
      });
      delete section[field];
    }
  }
  let validate;
  try {
    validate = compileInputs(manifest);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  if (!validate(section)) issues.push(...schemaIssues(validate.errors, section, file, prefix));
  return issues;
}
