/**
 * Capability contracts: one JSON file per capability, holding its name, contract version and the JSON
 * Schema of its payload. They come from the engine package (`capabilities/`, the ones it ships) and from
 * the workspace's `capabilitiesRoot` (plugin option, default tools/ztc/capabilities), which adds
 * contracts and wins for a name both have. Payloads are checked when an adapter produces them and again
 * when one consumes them.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ENGINE_ROOT } from '../constants';
import { ConfigError, type Issue } from '../errors';
import { compile, schemaIssues } from '../util/schema';
import { readLayout } from '../workspace/layout';

export interface CapabilityContract {
  name: string;
  version: string;
  description: string;
  schema: object;
}

/** Folder of the contracts the engine package ships. */
export const BUILTIN_CONTRACTS_DIR = join(ENGINE_ROOT, 'capabilities');

/** Workspace-relative folder of the workspace's own contracts (where new ones go). */
export function contractsDir(workspaceRoot: string): string {
  return readLayout(workspaceRoot).capabilitiesRoot;
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** A contract file as messages show it: workspace-relative when it is in the workspace. */
function shown(workspaceRoot: string, abs: string): string {
  const rel = relative(real(workspaceRoot), real(abs));
  return (rel.startsWith('..') || isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

const byWorkspace = new Map<string, Map<string, CapabilityContract>>();

/**
 * Drop the contracts read so far. A one-shot CLI never needs this; long-lived callers (the Nx plugin's
 * createNodes under the daemon, the render batch executor) call it at the start of each invocation so
 * an edited contract is never served stale.
 */
export function forgetContracts(): void {
  byWorkspace.clear();
}

export function loadContracts(workspaceRoot: string): Map<string, CapabilityContract> {
  let contracts = byWorkspace.get(workspaceRoot);
  if (!contracts) {
    contracts = new Map();
    const dirs = [BUILTIN_CONTRACTS_DIR, join(workspaceRoot, contractsDir(workspaceRoot))];
    if (real(dirs[0]!) === real(dirs[1]!)) dirs.pop(); // this repository: the workspace's folder is the package's
    for (const dir of dirs) for (const c of readContracts(workspaceRoot, dir)) contracts.set(c.name, c);
    byWorkspace.set(workspaceRoot, contracts);
  }
  return contracts;
}

function readContracts(workspaceRoot: string, dir: string): CapabilityContract[] {
  let entries: string[];
  try {
    entries = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch {
    return []; // no folder, no contracts
  }
  return entries.map((f) => {
    const file = shown(workspaceRoot, join(dir, f));
    let c: CapabilityContract;
    try {
      c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CapabilityContract;
    } catch (e) {
      throw ConfigError.one({ file, path: '', message: `invalid JSON: ${(e as Error).message}` });
    }
    if (c.name !== f.slice(0, -'.json'.length) || typeof c.version !== 'string' || typeof c.schema !== 'object') {
      throw ConfigError.one({ file, path: '', message: 'a contract needs name (= file name), version and schema', hint: 'see the other files in the folder' });
    }
    return c;
  });
}

export function getContract(workspaceRoot: string, name: string): CapabilityContract | undefined {
  return loadContracts(workspaceRoot).get(name);
}

/** Check a payload against its contract; `role` says who is checking (for the message). */
export function checkPayload(workspaceRoot: string, capability: string, payload: unknown, file: string, role: string): void {
  const contract = getContract(workspaceRoot, capability);
  if (!contract) {
    throw ConfigError.one({ file, path: capability, message: `no contract for capability "${capability}"` });
  }
  const validate = compile(contract.schema);
  const copy = structuredClone(payload);
  if (!validate(copy)) {
    const issues: Issue[] = schemaIssues(validate.errors, copy, file, `capabilities.${capability}`).map((i) => ({
      ...i,
      message: `${i.message} (${role} payload does not match the "${capability}" contract v${contract.version})`,
      hint: i.hint ?? `see the "${capability}" contract (${contractsDir(workspaceRoot)}/${capability}.json, or the one the engine ships)`,
    }));
    throw new ConfigError(issues);
  }
}
