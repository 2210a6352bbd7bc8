/**
 * The adapter SDK: what an adapter's render module sees and returns. Adapters import these types from
 * `@ztc/engine` (tools/ztc/src/index.ts) and nothing else from the engine.
 */

/** Non-secret platform metadata from platform.yaml `platform:` plus the platform's name. */
export interface PlatformMetadata {
  /** Folder name under platforms/. */
  readonly name: string;
  readonly organization?: string;
  readonly app_name?: string;
  readonly [key: string]: unknown;
}

/** Helpers the engine passes to a render module; all pure. */
export interface RenderHelpers {
  /**
   * Renders `templates/<name>` of this adapter, replacing `{{ path }}` with values from `vars`
   * (dotted paths, strict: an unknown path is an error, never an empty string).
   */
  template: (name: string, vars: Record<string, unknown>) => string;
}

/** What a render module returns. */
export interface RenderResult {
  /** Path relative to `generated/` → file content. */
  files: Record<string, string>;
  /** Capability name → payload, exactly the capabilities the adapter declares in `provides`. */
  capabilities?: Record<string, unknown>;
  /** Extra non-secret context per script name, merged over the context declared in adapter.yaml. */
  scriptContext?: Record<string, Record<string, unknown>>;
}

/**
 * A render module's export: a pure function of the adapter's validated config (defaults applied), the
 * platform metadata and the payloads of exactly the capabilities it requires. No I/O, no clock, no
 * randomness: the same inputs must give the same result.
 */
export type RenderFn<Config = Record<string, unknown>, Capabilities = Record<string, unknown>> = (
  config: Readonly<Config>,
  platform: PlatformMetadata,
  capabilities: Readonly<Capabilities>,
  helpers: RenderHelpers,
) => RenderResult;

/** Typed identity helper for render modules: `export const render = defineRender<MyConfig>((c) => …)`. */
export function defineRender<Config = Record<string, unknown>, Capabilities = Record<string, unknown>>(fn: RenderFn<Config, Capabilities>): RenderFn<Config, Capabilities> {
  return fn;
}

/**
 * One side of a render-time change check: this adapter's steps as pipeline.yaml holds them, by step id
 * (`talos/gen-config`), each with its resolved context (pre-flight, stage, teardown and backup steps).
 */
export interface PlanSide {
  scriptContext: Record<string, Record<string, unknown>>;
}

/**
 * A render module's optional `checkChange` export: given this adapter's step contexts as the previous render
 * wrote them and as this render would write them, the changes it refuses, each a full sentence saying what
 * would break and the safe sequence to get there ([] = fine). Pure: no I/O, no clock. `ztc render` (and the
 * Nx render target) turn refusals into exit 3 and write nothing; `ztc validate` never calls it.
 */
export type ChangeCheck = (previous: PlanSide, next: PlanSide) => string[];

/** Typed identity helper, like defineRender: `export const checkChange = defineChangeCheck((previous, next) => [])`. */
export function defineChangeCheck(fn: ChangeCheck): ChangeCheck {
  return fn;
}
