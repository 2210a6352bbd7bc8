/**
 * Capability contracts: one JSON file per capability in tools/ztc/capabilities/, holding its name,
 * contract version and the JSON Schema of its payload. Payloads are checked when an adapter produces
 * them and again when one consumes them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_ROOT } from '../constants';
import { ConfigError, type Issue } from '../errors';
import { compile, schemaIssues } from '../util/schema';

export interface CapabilityContract {
  name: string;
  version: string;
  description: string;
  schema: object;
}

export const CONTRACTS_DIR = join(ENGINE_ROOT, 'capabilities');
let contracts: Map<string, CapabilityContract> | undefined;

export function loadContracts(): Map<string, CapabilityContract> {
  if (!contracts) {
    contracts = new Map();
    for (const f of readdirSync(CONTRACTS_DIR).filter((n) => n.endsWith('.json')).sort()) {
      const c = JSON.parse(readFileSync(join(CONTRACTS_DIR, f), 'utf8')) as CapabilityContract;
      contracts.set(c.name, c);
    }
  }
  return contracts;
}

export function getContract(name: string): CapabilityContract | undefined {
  return loadContracts().get(name);
}

/** Check a payload against its contract; `role` says who is checking (for the message). */
export function checkPayload(capability: string, payload: unknown, file: string, role: string): void {
  const contract = getContract(capability);
  if (!contract) {
    throw ConfigError.one({ file, path: capability, message: `no contract for capability "${capability}"` });
  }
  const validate = compile(contract.schema);
  const copy = structuredClone(payload);
  if (!validate(copy)) {
    const issues: Issue[] = schemaIssues(validate.errors, copy, file, `capabilities.${capability}`).map((i) => ({
      ...i,
      message: `${i.message} (${role} payload does not match the "${capability}" contract v${contract.version})`,
      hint: i.hint ?? `see tools/ztc/capabilities/${capability}.json`,
    }));
    throw new ConfigError(issues);
  }
}
