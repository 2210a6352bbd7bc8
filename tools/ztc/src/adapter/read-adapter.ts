/**
 * Reading adapter.yaml: parse → check against the adapter.yaml schema → normalise → rules that need the
 * file system or other files (render module and scripts exist, capability contracts exist, the inputs
 * schema compiles). Every problem is reported with the file and field path.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import adapterSchema from '../../schemas/adapter.schema.json';
import { contractsDir, getContract } from '../capability/contracts';
import { DEFAULT_FROM_KEY, defaultFromProblem } from './default-from';
import { annotationProblems } from './annotations';
import { ADAPTER_FILE, STAGES, type Stage } from '../constants';
import { adapterPath } from '../workspace/workspace';
import { ConfigError, type Issue } from '../errors';
import { pathProblem } from '../util/paths';
import { compile, schemaIssues, type Validator } from '../util/schema';
import { readYamlFile } from '../util/yaml';
import { insidePathProblem } from './adapter-paths';
import type { AdapterManifest, ScriptDecl } from './types';

type RawScript = {
  name?: string;
  file: string;
  description: string;
  timeout_seconds: number;
  secret_env?: string[];
  context?: Record<string, unknown>;
  required: boolean;
  disruptive?: string;
  purge?: string;
};
type RawCap = string | { capability: string; version?: string };
interface RawAdapter {
  name: string;
  version: string;
  description: string;
  display_name?: string;
  selection_group?: string;
  is_default?: boolean;
  provides?: RawCap[];
  requires?: RawCap[];
  render?: string;
  shared_paths?: string[];
  inputs?: Record<string, unknown>;
  tools?: (string | { name: string; install?: string })[];
  scripts?: Partial<Record<Stage | 'teardown', RawScript[]>>;
  init?: RawScript[];
  check_health?: RawScript;
  backup?: RawScript;
}

// semver's functions one by one, loaded when first used: the whole package is 45 modules.
const validVersion = (v: string): string | null => (require('semver/functions/valid') as typeof import('semver/functions/valid'))(v);
const validRange = (r: string): string | null => (require('semver/ranges/valid') as typeof import('semver/ranges/valid'))(r);

const EMPTY_INPUTS = { type: 'object', additionalProperties: false, properties: {} };

/** Read and validate `adapters/<name>/adapter.yaml`; throws ConfigError listing every problem. */
export function readAdapter(workspaceRoot: string, name: string): AdapterManifest {
  const root = adapterPath(workspaceRoot, name);
  const file = `${root}/${ADAPTER_FILE}`;
  const { value } = readYamlFile(join(workspaceRoot, file), file);
  return parseAdapter(value, { workspaceRoot, root, file, folderName: name });
}

interface ParseContext {
  workspaceRoot: string;
  root: string;
  file: string;
  folderName: string;
}

export function parseAdapter(value: unknown, ctx: ParseContext): AdapterManifest {
  const { file } = ctx;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ConfigError.one({ file, path: '', message: 'expected a mapping at the top level' });
  }
  const data = structuredClone(value) as RawAdapter;
  const validate = compile(adapterSchema);
  if (!validate(data)) throw new ConfigError(schemaIssues(validate.errors, data, file, '').map(explainDisruptive));
  const manifest = normalise(data, ctx);
  const issues = checkRules(manifest, ctx);
  if (issues.length > 0) throw new ConfigError(issues);
  return manifest;
}

/** The schema's words for a bad `disruptive:` ("must match pattern …") replaced by what it takes. */
function explainDisruptive(issue: Issue): Issue {
  if (/(^|\.)purge$/.test(issue.path) && !issue.message.startsWith('unknown field')) {
    return { ...issue, message: 'must be one line of text saying what the step deletes for good', hint: 'e.g. purge: "deletes the rescue SSH key from the Hetzner project"' };
  }
  if (!/(^|\.)disruptive$/.test(issue.path)) return issue;
  const got = /got (.*)$/.exec(issue.message)?.[1];
  return {
    ...issue,
    message: `must be one line of text saying what the step may disrupt${got ? `, got ${got}` : ''}`,
    hint: 'e.g. disruptive: "reboots servers that do not run Talos yet into the rescue system"; leave the field out for a step that disrupts nothing',
  };
}

function normaliseScript(s: RawScript): ScriptDecl {
  return {
    name: s.name ?? basename(s.file, '.sh'),
    file: s.file,
    description: s.description,
    timeoutSeconds: s.timeout_seconds,
    secretEnv: s.secret_env ?? [],
    context: s.context ?? {},
    required: s.required,
    ...(s.disruptive !== undefined && { disruptive: s.disruptive }),
    ...(s.purge !== undefined && { purge: s.purge }),
  };
}

function normalise(d: RawAdapter, ctx: ParseContext): AdapterManifest {
  const scripts = Object.fromEntries(STAGES.map((stage) => [stage, (d.scripts?.[stage] ?? []).map(normaliseScript)])) as Record<Stage, ScriptDecl[]>;
  return {
    name: d.name,
    version: d.version,
    description: d.description,
    displayName: d.display_name,
    selectionGroup: d.selection_group,
    isDefault: d.is_default ?? false,
    provides: (d.provides ?? []).map((p) =>
      typeof p === 'string'
        ? { capability: p, version: getContract(ctx.workspaceRoot, p)?.version ?? '0.0.0' }
        : { capability: p.capability, version: p.version ?? getContract(ctx.workspaceRoot, p.capability)?.version ?? '0.0.0' },
    ),
    requires: (d.requires ?? []).map((r) => (typeof r === 'string' ? { capability: r } : { capability: r.capability, range: r.version })),
    render: d.render,
    sharedPaths: d.shared_paths ?? [],
    // Unknown fields in the adapter's section are errors (CONTRACT §3), also where the schema does not say so.
    inputs: d.inputs ? { ...d.inputs, additionalProperties: false } : EMPTY_INPUTS,
    tools: (d.tools ?? []).map((t) => (typeof t === 'string' ? { name: t } : t)),
    scripts,
    init: (d.init ?? []).map(normaliseScript),
    checkHealth: d.check_health ? { ...normaliseScript(d.check_health), name: 'check-health' } : undefined,
    teardown: (d.scripts?.teardown ?? []).map(normaliseScript),
    backup: d.backup ? normaliseScript(d.backup) : undefined,
    root: ctx.root,
    file: ctx.file,
  };
}

function checkRules(m: AdapterManifest, ctx: ParseContext): Issue[] {
  const { file } = ctx;
  const issues: Issue[] = [];
  if (m.name !== ctx.folderName) {
    issues.push({ file, path: 'name', message: `"${m.name}" does not match the folder name "${ctx.folderName}"`, hint: `set name: ${ctx.folderName}` });
  }
  const renderProblem = m.render ? insidePathProblem(ctx.workspaceRoot, ctx.root, m.render) : undefined;
  if (renderProblem) {
    issues.push({ file, path: 'render', message: renderProblem, hint: `keep the file inside ${ctx.root}/ and give its path relative to it` });
  } else if (m.render && !existsSync(join(ctx.workspaceRoot, ctx.root, m.render))) {
    issues.push({ file, path: 'render', message: `file "${m.render}" not found (expected relative to ${ctx.root}/)`, hint: 'create the render module or fix the path' });
  }
  m.sharedPaths.forEach((shared, i) => {
    const problem = pathProblem(shared.endsWith('/') ? shared.slice(0, -1) : shared);
    if (problem)
      issues.push({
        file,
        path: `shared_paths[${i}]`,
        message: `${JSON.stringify(shared)} ${problem}`,
        hint: 'give a path relative to generated/, such as ".sops.yaml" or "common/"',
      });
  });
  m.provides.forEach((p, i) => {
    const contract = getContract(ctx.workspaceRoot, p.capability);
    if (!contract) issues.push(unknownCapability(file, `provides[${i}]`, p.capability, contractsDir(ctx.workspaceRoot)));
    else if (!validVersion(p.version)) issues.push({ file, path: `provides[${i}].version`, message: `"${p.version}" is not a semantic version` });
  });
  m.requires.forEach((r, i) => {
    if (!getContract(ctx.workspaceRoot, r.capability)) issues.push(unknownCapability(file, `requires[${i}]`, r.capability, contractsDir(ctx.workspaceRoot)));
    if (r.range !== undefined && validRange(r.range) === null) {
      issues.push({ file, path: `requires[${i}].version`, message: `"${r.range}" is not a semver range`, hint: 'use a range such as ">=1.0.0 <2.0.0"' });
    }
  });
  issues.push(...checkScripts(m, ctx), ...checkInputs(m, file));
  return issues;
}

function unknownCapability(file: string, path: string, name: string, dir: string): Issue {
  return { file, path, message: `unknown capability "${name}" (no contract in ${dir}/)`, hint: `add ${dir}/${name}.json or fix the name` };
}

function checkScripts(m: AdapterManifest, ctx: ParseContext): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  const all: [string, ScriptDecl][] = [
    ...STAGES.flatMap((stage) => m.scripts[stage].map((s, i) => [`scripts.${stage}[${i}]`, s] as [string, ScriptDecl])),
    ...m.teardown.map((s, i) => [`scripts.teardown[${i}]`, s] as [string, ScriptDecl]),
    ...(m.backup ? [['backup', m.backup] as [string, ScriptDecl]] : []),
    ...m.init.map((s, i) => [`init[${i}]`, s] as [string, ScriptDecl]),
    ...(m.checkHealth ? [['check_health', m.checkHealth] as [string, ScriptDecl]] : []),
  ];
  for (const [path, s] of all) {
    const problem = insidePathProblem(ctx.workspaceRoot, ctx.root, s.file);
    if (problem) {
      issues.push({ file: ctx.file, path: `${path}.file`, message: problem, hint: `keep the script inside ${ctx.root}/ and give its path relative to it` });
    } else if (!existsSync(join(ctx.workspaceRoot, ctx.root, s.file))) {
      issues.push({ file: ctx.file, path: `${path}.file`, message: `script "${s.file}" not found in ${ctx.root}/`, hint: 'create the script or fix the path' });
    }
    if (!path.startsWith('init') && path !== 'check_health') {
      const prev = seen.get(s.name);
      if (prev) issues.push({ file: ctx.file, path: `${path}.name`, message: `step name "${s.name}" is already used by ${prev}`, hint: 'give one of them a distinct "name:"' });
      seen.set(s.name, path);
    }
  }
  return issues;
}

/**
 * The validator of the adapter's `inputs` schema; a schema Ajv cannot compile is a ConfigError. Kept out
 * of parseAdapter on purpose: graph construction (Nx createNodes) reads every adapter.yaml on every nx
 * command and never needs the validators, while render, validate and lint compile them when they use them.
 */
export function compileInputs(m: AdapterManifest): Validator {
  try {
    return compile(m.inputs);
  } catch (e) {
    throw ConfigError.one({ file: m.file, path: 'inputs', message: `not a valid JSON Schema: ${(e as Error).message}`, hint: 'fix the schema (see https://json-schema.org)' });
  }
}

function checkInputs(m: AdapterManifest, file: string): Issue[] {
  const issues: Issue[] = [];
  const props = (m.inputs.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [field, schema] of Object.entries(props)) {
    if (schema.secret === true && 'default' in schema) {
      issues.push({
        file,
        path: `inputs.properties.${field}.default`,
        message: 'a secret input may not have a default',
        hint: 'remove the default; secrets come from the environment at bootstrap',
      });
    }
    if (schema.secret === true && typeof schema.env !== 'string') {
      issues.push({ file, path: `inputs.properties.${field}.env`, message: 'a secret input must name the env var it is read from', hint: 'add env: <NAME>' });
    }
    const derived = DEFAULT_FROM_KEY in schema ? defaultFromProblem(schema[DEFAULT_FROM_KEY]) : undefined;
    if (derived) issues.push({ file, path: `inputs.properties.${field}.${DEFAULT_FROM_KEY}`, message: derived, hint: 'see docs/adapters.md ("Inputs for ztc init")' });
    for (const p of annotationProblems(field, schema, Object.keys(props), (m.inputs.required ?? []) as string[])) {
      issues.push({ file, path: `inputs.properties.${field}.${p.key}`, message: p.message, hint: 'see docs/adapters.md ("Inputs for ztc init")' });
    }
  }
  return issues;
}
