'use strict';
/**
 * The one environment sanitizer of the repository's specs, simulation and bench: the environment a child
 * process (ztc, nx, npm) gets, built from the caller's by a named policy. Plain JavaScript so that
 * scripts/*.mjs use it as it is; the specs and tools/sim import it through child-env.d.ts.
 *
 * The policies differ on purpose, by what the child must not see:
 * - `minimal`: a spec's `ztc` child: nothing but PATH, HOME, TMPDIR and the scratch XDG dirs that
 *   vitest.config.mts sets (no private dir or secrets file of a spec lands in the real ~/.local, ~/.config).
 * - `nx`: nx in a workspace of its own (e2e/nx): the caller's environment without the settings of the
 *   caller's Nx, test runner, CI or coding agent (each changes what nx prints or does).
 * - `bench`: a measured fresh clone (scripts/bench.mjs): no NX_* or ZTC_* of the caller (ZTC_CACHE_DIR
 *   would make a warm "fresh clone"), no coding agent.
 * - `adopt`: a new user's workspace installed from the registry (e2e/adopt): `nx`, and no npm_* or ZTC_*
 *   of the caller either.
 * - `sim`: ztc in the simulation (tools/sim): nothing that could reach real infrastructure (cloud, S3,
 *   GitHub, Argo CD and AWS credentials, kubeconfig, talosconfig, SOPS's Age identity), and no ZTC_*,
 *   NX_* or VITEST*.
 */

/** Set by coding agents and IDE terminals; Nx and npm print differently under them. */
const AGENT_VARS = ['CLAUDECODE', 'CLAUDE_CODE', 'CODEX_THREAD_ID', 'GEMINI_CLI', 'REPL_ID', 'VSCODE_AGENT', 'OPENCODE', 'COPILOT_CLI', 'CURSOR_TRACE_ID'];

/** @type {Record<string, { only?: string[]; drop?: string[]; dropPrefixes?: string[] }>} */
const POLICIES = {
  minimal: { only: ['PATH', 'HOME', 'TMPDIR', 'XDG_STATE_HOME', 'XDG_CONFIG_HOME'] },
  nx: { drop: [...AGENT_VARS, 'CI'], dropPrefixes: ['NX_', 'VITEST'] },
  bench: { drop: AGENT_VARS, dropPrefixes: ['NX_', 'ZTC_'] },
  adopt: { drop: [...AGENT_VARS, 'CI'], dropPrefixes: ['NX_', 'VITEST', 'npm_', 'ZTC_'] },
  sim: { drop: ['KUBECONFIG', 'TALOSCONFIG'], dropPrefixes: ['HCLOUD_', 'ZTC_', 'NX_', 'VITEST', 'S3_', 'GITHUB_', 'ARGOCD_', 'AWS_', 'SOPS_'] },
};

/**
 * `from` (default: this process's environment) filtered by `policy`, then the names of `keep` that `from`
 * has (kept whatever the policy says), then `set` on top (a name set to undefined is removed).
 */
function childEnv(policy, { keep = [], set = {} } = {}, from = process.env) {
  const p = POLICIES[policy];
  if (!p) throw new Error(`childEnv: no policy "${policy}" (one of: ${Object.keys(POLICIES).join(', ')})`);
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined) continue;
    const dropped = p.only ? !p.only.includes(k) : (p.drop ?? []).includes(k) || (p.dropPrefixes ?? []).some((prefix) => k.startsWith(prefix));
    if (!dropped || keep.includes(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

module.exports = { childEnv, AGENT_VARS };
