/** The normalised, validated form of an adapter.yaml. */
import type { Stage } from '../constants';

export interface ScriptDecl {
  /** Step name, unique within the adapter; the step id is `<adapter>/<name>`. */
  name: string;
  /** Path relative to the adapter folder (`scripts/…sh`). */
  file: string;
  description: string;
  timeoutSeconds: number;
  /** Names of the secret env vars the script receives; all are required. */
  secretEnv: string[];
  /** Non-secret context; strings may reference `{{ config.x }}`, `{{ platform.x }}`, `{{ capabilities.c.x }}`. */
  context: Record<string, unknown>;
  required: boolean;
  /** One line: what the step may disrupt on a live system (reboot, disk write, etcd bootstrap); absent for a step that disrupts nothing. */
  disruptive?: string;
  /** Teardown steps only: one line saying what the step deletes for good; such a step runs only under `ztc destroy --purge-private`. */
  purge?: string;
}

export interface ProvidedCapability {
  capability: string;
  /** Contract version implemented. */
  version: string;
}

export interface RequiredCapability {
  capability: string;
  /** Semver range, or undefined for any version. */
  range?: string;
}

export interface ToolRequirement {
  name: string;
  install?: string;
}

export interface AdapterManifest {
  name: string;
  version: string;
  description: string;
  displayName?: string;
  selectionGroup?: string;
  isDefault: boolean;
  provides: ProvidedCapability[];
  requires: RequiredCapability[];
  /** Render module path relative to the adapter folder. */
  render?: string;
  /** Paths under generated/ outside `<name>/` this adapter may write; folders end with '/'. */
  sharedPaths: string[];
  /** JSON Schema of the adapter's platform.yaml section. */
  inputs: Record<string, unknown>;
  tools: ToolRequirement[];
  scripts: Record<Stage, ScriptDecl[]>;
  init: ScriptDecl[];
  checkHealth?: ScriptDecl;
  /** `scripts.teardown`: the steps `ztc destroy` runs for this adapter, in the order listed. */
  teardown: ScriptDecl[];
  /** `backup`: the script `ztc backup` runs for this adapter. */
  backup?: ScriptDecl;
  /** Workspace-relative folder (`adapters/<name>`). */
  root: string;
  /** Workspace-relative adapter.yaml path. */
  file: string;
}
