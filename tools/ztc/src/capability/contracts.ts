/**
 * Capability contracts: one JSON file per capability in the workspace's tools/ztc/capabilities/, holding
 * its name, contract version and the JSON Schema of its payload. Payloads are checked when an adapter
 * produces them and again when one consumes them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Issue } from '../errors';
import { compile, schemaIssues } from '../util/schema';

export interface CapabilityContract {
  name: string;
  version: string;
  description: string;
  schema: object;
}

/** Workspace-relative folder of the contracts. */
export const CONTRACTS_DIR = 'tools/ztc/capabilities';
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
    const dir = join(workspaceRoot, CONTRACTS_DIR);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    } catch {
      /* no contracts: every capability is unknown */
    }
    for (const f of entries) {
      let c: CapabilityContract;
      try {
        c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CapabilityContract;
      } catch (e) {
        throw ConfigError.one({ file: `${CONTRACTS_DIR}/${f}`, path: '', message: `invalid JSON: ${(e as Error).message}` });
      }
      if (c.name !== f.slice(0, -'.json'.length) || typeof c.version !== 'string' || typeof c.schema !== 'object') {
        throw ConfigError.one({ file: `${CONTRACTS_DIR}/${f}`, path: '', message: 'a contract needs name (= file name), version and schema', hint: 'see the other files in the folder' });
      }
      contracts.set(c.name, c);
    }
    byWorkspace.set(workspaceRoot, contracts);
  }
  return contracts;
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
      hint: i.hint ?? `see ${CONTRACTS_DIR}/${capability}.json`,
    }));
    throw new ConfigError(issues);
  }
}
