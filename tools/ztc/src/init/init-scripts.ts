/**
 * An adapter's `init` scripts (e.g. a credentials check), run right after its inputs are collected,
 * through bootstrap's step machinery (executeStep → runner): private temp dir, process group, timeout,
 * the same environment rules and the same masking; logs go to `platforms/<p>/.ztc/logs/init/`. The
 * context is resolved from the collected inputs (`config.*`, `platform.*`); there are no capabilities
 * yet. A script whose secrets are not available is skipped with a note, since init does not require
 * secrets (bootstrap does).
 */
import type { AdapterManifest } from '../adapter/types';
import { createReporter, maskEvent, type BootstrapEvent } from '../bootstrap/events';
import { executeStep, type StepRunContext } from '../bootstrap/execute-step';
import { Masker } from '../bootstrap/masker';
import { describeAbort, exitCodeForAbort, withTerminationSignals } from '../bootstrap/signals';
import { resolvePrivateDir } from '../bootstrap/private-dir';
import { stateArea } from '../workspace/state-area';
import { secretValues } from '../bootstrap/step-env';
import { ConfigError, ExitError } from '../errors';
import { pipelineStep, type PipelineStep } from '../render/pipeline';
import { stepLibs } from '../render/script-libs';
import { resolveValue } from '../sdk/template';
import { hashFileSet } from '../util/hash';
import type { InitScriptOutcome } from './collect';
import { fieldsOf } from './fields';

export const INIT_STAGE = 'init';

export interface InitScriptRunnerOptions {
  workspaceRoot: string;
  platform: string;
  /** The caller's environment. */
  env: NodeJS.ProcessEnv;
  /** Secrets stored in the platform's secrets file (used when neither typed nor in the environment). */
  stored: ReadonlyMap<string, string>;
  io: { out: (line: string) => void; err: (line: string) => void };
  /** Every secret name of the workspace's adapters: kept from steps that do not declare them, and masked. */
  secretNames: ReadonlySet<string>;
  tmpRoot?: string;
  killGraceMs?: number;
}

/** Secret names an adapter uses: its secret inputs' `env` and every script's `secret_env`. */
export function secretNames(m: AdapterManifest): Set<string> {
  const names = new Set(
    fieldsOf(m)
      .filter((f) => f.secret && f.env)
      .map((f) => f.env!),
  );
  for (const s of [...m.init, ...Object.values(m.scripts).flat()]) s.secretEnv.forEach((n) => names.add(n));
  return names;
}

export function initScriptRunner(opts: InitScriptRunnerOptions) {
  return async (m: AdapterManifest, config: Record<string, unknown>, meta: Record<string, unknown>, typed: ReadonlyMap<string, string>): Promise<InitScriptOutcome> => {
    // Typed in this run > the environment > the secrets file.
    const names = new Set([...opts.secretNames, ...secretNames(m)]);
    const secretsOnly = (vars: Iterable<[string, string]>) => Object.fromEntries([...vars].filter(([k]) => names.has(k)));
    const env: NodeJS.ProcessEnv = { ...secretsOnly(opts.stored), ...opts.env, ...secretsOnly(typed) };
    const masker = new Masker(secretValues(env, names));
    const report = createReporter(opts.io, { json: false });
    const emit = (e: BootstrapEvent) => report(maskEvent(e, masker));
    for (const [i, decl] of m.init.entries()) {
      const id = `${m.name}/${decl.name}`;
      const missing = decl.secretEnv.filter((n) => !env[n]);
      if (missing.length > 0) {
        emit({ event: 'notice', message: `[${id}] skipped: ${missing.join(', ')} not set (typed, exported or stored)` });
        continue;
      }
      let context: Record<string, unknown>;
      try {
        context = resolveValue(decl.context, { config, platform: { ...meta, name: opts.platform }, capabilities: {} }) as Record<string, unknown>;
      } catch (e) {
        throw ConfigError.one({
          file: m.file,
          path: `init[${i}].context`,
          message: (e as Error).message,
          hint: 'init scripts see config.<field> and platform.<field> (no capabilities: nothing is rendered yet)',
        });
      }
      if (masker.finds(JSON.stringify(context))) {
        throw ConfigError.one({ file: m.file, path: `init[${i}].context`, message: 'the context holds the value of a secret', hint: 'pass secrets through secret_env only' });
      }
      // Nothing is rendered yet: the step reads no generated files. Every init script must pass.
      const step: PipelineStep = {
        ...pipelineStep(opts.workspaceRoot, m, decl, { libs: stepLibs(opts.workspaceRoot, m), filesSha256: hashFileSet({}), context }),
        required: true,
      };
      // Named, not created: a check that needs it makes it (ztc::private_file); init leaves no trace in $HOME.
      const privateDir = resolvePrivateDir(opts.workspaceRoot, opts.platform, env, meta);
      let stopReason: unknown;
      const result = await withTerminationSignals(async (signal) => {
        const ctx: StepRunContext = {
          area: stateArea(opts.workspaceRoot, opts.platform),
          privateDir,
          env,
          allSecretNames: names,
          masker,
          emit,
          signal,
          killGraceMs: opts.killGraceMs,
          tmpRoot: opts.tmpRoot,
        };
        const outcome = await executeStep(ctx, INIT_STAGE, step);
        stopReason = signal.reason;
        return outcome;
      });
      emit({
        event: 'step_finished',
        step: id,
        stage: INIT_STAGE,
        status: result.status,
        exit_code: result.exitCode,
        duration_ms: result.durationMs,
        required: true,
        log: result.log,
      });
      if (result.status === 'interrupted') throw new ExitError(`init interrupted${describeAbort(stopReason)} during ${id}; nothing was written`, exitCodeForAbort(stopReason));
      if (result.status !== 'succeeded') {
        const said = result.tail.filter((l) => l.trim()).join(' / ');
        return {
          ok: false,
          step: id,
          message: `${result.status === 'timed_out' ? `timed out after ${decl.timeoutSeconds} s` : `exit code ${result.exitCode}`}${said ? `: ${said}` : ''} (log: ${result.log})`,
        };
      }
    }
    return { ok: true };
  };
}
