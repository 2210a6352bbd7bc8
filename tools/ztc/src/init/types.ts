/** What init collects and how the interactive wizard plugs into the collection (types only). */
import type { Issue } from '../errors';
import type { Catalog, MissingCapability, SelectionGroup } from './catalog';
import type { FieldSpec, JsonSchema } from './fields';

/** One question: a field of an adapter (or of `platform:`), with what init knows about it. */
export interface AskRequest {
  /** Adapter name, or `platform`. */
  owner: string;
  spec: FieldSpec;
  /** The schema `$ref`s resolve against (the adapter's inputs). */
  root: JsonSchema;
  /** Offered as the default: the current valid value, else a derived default, else the schema's. */
  suggestion?: unknown;
  /** Why it is asked again: the current value's problem. */
  problem?: string;
  /** Path of the field in platform.yaml (`adapters.talos.nodes`). */
  path: string;
  /** Problems of a candidate value (paths below `path` for nested values); [] when valid. */
  check: (value: unknown) => Issue[];
  /** For a secret: a value is already stored or set, so an empty answer keeps it. */
  secretKept?: string;
  /** An earlier question of the same part (platform, one adapter) exists: the answer may be BACK. */
  canGoBack?: boolean;
}

/** The answer "go back one question" (`<` typed, or the back choice of a list). */
export const BACK: unique symbol = Symbol('back');

export type InitScriptChoice = 'retry' | 'continue' | 'abort';

/** The interactive side of init; absent in non-interactive mode. */
export interface Ui {
  say(line: string): void;
  /** The answer, or undefined to leave an optional field unset (or keep a stored secret), or BACK. */
  ask(req: AskRequest): Promise<unknown>;
  /** Adapter chosen for a selection group, or undefined for "none". */
  chooseGroup(group: SelectionGroup, catalog: Catalog, current: string | undefined): Promise<string | undefined>;
  chooseProvider(missing: MissingCapability, catalog: Catalog, suggested: string | undefined): Promise<string>;
  onInitScriptFailed(adapter: string, step: string): Promise<InitScriptChoice>;
  confirmWrite(file: string, diff: string): Promise<boolean>;
}

/** What init decided: everything that goes into platform.yaml and the secrets file. */
export interface InitResult {
  platform: string;
  meta: Record<string, unknown>;
  /** Adapters in init's (= render's) order. */
  order: string[];
  /** adapter → the fields written to platform.yaml, in schema order. */
  sections: Map<string, Map<string, unknown>>;
  /** Secrets to store: env var name → value. */
  secrets: Map<string, string>;
  /** What init wants the user to know at the end (notes, secrets not stored, …). */
  notes: string[];
}
