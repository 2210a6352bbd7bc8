/** Types of child-env.js (plain JavaScript, so scripts/*.mjs use it too). */
export type ChildEnvPolicy = 'minimal' | 'nx' | 'bench' | 'adopt' | 'sim';

export interface ChildEnvOptions {
  /** Names kept from the caller's environment whatever the policy says. */
  keep?: readonly string[];
  /** Set on top; a name set to undefined is removed. */
  set?: Readonly<Record<string, string | undefined>>;
}

/** Set by coding agents and IDE terminals; Nx and npm print differently under them. */
export const AGENT_VARS: readonly string[];

/** `from` (default: process.env) filtered by `policy`, plus `keep`'s names it has, plus `set`. */
export function childEnv(policy: ChildEnvPolicy, opts?: ChildEnvOptions, from?: NodeJS.ProcessEnv): Record<string, string>;
