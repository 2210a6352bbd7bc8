/**
 * `ztc destroy` and `ztc backup`: the two commands that run adapter scripts outside the bootstrap stages
 * (pipeline.yaml `teardown:` and `backup:`, docs/bootstrap.md). They share bootstrap's machinery: the
 * "run render first" check, the state backend and its run lock (local `.ztc/run.lock` or the s3 lock), the
 * step runner with its deadlines, process groups, masking, secret_env checks and logs, and the event
 * stream (`--json`). What differs:
 *
 * - No pre-flight checks: a destroy must work on a cluster that no longer answers, and a backup script
 *   checks what it reads; each script decides from what it finds.
 * - No receipts: teardown and backup steps are idempotent and run every time. A destroy that stopped
 *   half-way is run again from its first step.
 * - destroy: purge steps (adapter.yaml `purge:`) run only with `purgePrivate`; after every step succeeded the
 *   bootstrap receipts are cleared (here and in the backend: the next bootstrap runs everything), and with
 *   `purgePrivate` the private dir, the backend's objects and the local state are deleted, each named.
 *   Servers are never deleted: no code here or in the engine does.
 * - backup: with the s3 backend and `state.private_dir`, the private dir (which now holds the backup) is
 *   pushed encrypted when the run ends, as after bootstrap; the run says where the backup went.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, isZtcError } from '../errors';
import type { Pipeline, PipelineStep } from '../render/pipeline';
import { envWithPlatformSecrets } from '../secrets/platform-secrets';
import { openStateBackend, type StateBackend, type StateSession } from '../state/backend';
import { listFiles } from '../util/list-files';
import { stateArea, type StateArea } from '../workspace/state-area';
import { maskEvent, type BootstrapEvent, type EventSink, type PurgeItem, type RunCommand, type StepRef } from './events';
import { Masker } from './masker';
import { allSecretNames, readPipeline } from './pipeline-file';
import { checkRendered, checkSecrets, checkTools } from './preconditions';
import { checkContextsHoldNoSecret } from './prepare-run';
import { checkPrivateDir, checkPurgeablePrivateDir, resolvePrivateDir } from './private-dir';
import {
  DEFAULT_HEARTBEAT_MS,
  finishRun,
  interrupted,
  openStepRun,
  pushState,
  verdict,
  withHeartbeat,
  type BootstrapOptions,
  type BootstrapResult,
  type Ending,
} from './run-bootstrap';
import { secretValues } from './step-env';

/** What destroy and backup take: bootstrap's options without its stage selection and `--fresh` (they keep no receipts). */
export type OpsOptions = Omit<BootstrapOptions, 'stage' | 'fresh'>;

export interface DestroyOptions extends OpsOptions {
  /** Run the purge steps too and, after every step succeeded, delete the private dir and the platform's state (backend and local). */
  purgePrivate?: boolean;
}

/** The pseudo-stages of the two commands: ZTC_STAGE, the log folder, the `stage` of their events. */
export const TEARDOWN = 'teardown';
export const BACKUP = 'backup';

interface OpStep {
  step: PipelineStep;
  run: boolean;
  /** Why it does not run. */
  reason?: string;
}

interface PreparedOps {
  area: StateArea;
  privateDir: string;
  pipeline: Pipeline;
  steps: OpStep[];
  env: NodeJS.ProcessEnv;
  masker: Masker;
  allSecretNames: Set<string>;
}

export function runDestroy(opts: DestroyOptions): Promise<BootstrapResult> {
  return runOps('destroy', opts, !!opts.purgePrivate);
}

export function runBackup(opts: OpsOptions): Promise<BootstrapResult> {
  return runOps('backup', opts, false);
}

const PURGE_SKIP = 'purge step: runs only with --purge-private';

async function runOps(command: RunCommand, opts: OpsOptions, purgePrivate: boolean): Promise<BootstrapResult> {
  const started = Date.now();
  const stage = command === 'destroy' ? TEARDOWN : BACKUP;
  let masker = new Masker([]);
  const emit = (e: BootstrapEvent) => opts.onEvent?.(maskEvent(e, masker));
  const counts = { ran: 0, skipped: 0 };
  emit({
    event: 'run_started',
    command,
    platform: opts.platform,
    stages: [stage],
    fresh: false,
    dry_run: !!opts.dryRun,
    ...(command === 'destroy' && { purge_private: purgePrivate }),
  });
  let ending: Ending;
  try {
    const env = opts.env ?? process.env;
    const state = openStateBackend(opts.workspaceRoot, opts.platform, env, opts.stateOptions);
    masker = new Masker(state.secrets.values);
    const notice = (message: string) => emit({ event: 'notice', message });
    const prepared = prepareOps(command, opts, env, state.secrets, purgePrivate);
    masker = prepared.masker;
    if (command === 'destroy') notice('pre-flight checks (check_health) are not run: a destroy must also work on a cluster that no longer answers');
    if (opts.dryRun) {
      ending = dryRun(command, stage, prepared, state, purgePrivate, emit);
    } else {
      const session = await state.begin({ area: prepared.area, privateDir: prepared.privateDir, env, command: commandLine(command, opts.platform, purgePrivate), notice });
      let stored: string | undefined;
      const before = command === 'backup' ? snapshotFiles(prepared.privateDir) : undefined;
      try {
        // destroy's clean-up runs inside execute, under the run lock: no bootstrap may start while it deletes.
        const after = command === 'destroy' ? () => afterDestroy(prepared, state, session, purgePrivate, emit) : undefined;
        ending = await execute(stage, prepared, opts, emit, counts, session, command, after);
      } finally {
        stored = await session?.end();
      }
      if (ending.exitCode === ExitCode.ok && before) reportBackup(prepared, state, stored, before, emit);
    }
  } catch (e) {
    if (!isZtcError(e)) throw e;
    ending = { exitCode: e.exitCode, outcome: e.exitCode === ExitCode.invalid ? 'refused' : 'failed', error: e };
  }
  return finishRun(emit, { command, platform: opts.platform, resumeCommand: opts.resumeCommand, started, counts }, ending);
}

function commandLine(command: RunCommand, platform: string, purgePrivate: boolean): string {
  return `ztc ${command} ${platform}${purgePrivate ? ' --purge-private' : ''}`;
}

/** What both a run and a dry run check first, so a dry run refuses exactly when a run would. */
function prepareOps(command: RunCommand, opts: OpsOptions, callerEnv: NodeJS.ProcessEnv, hidden: StateBackend['secrets'], purgePrivate: boolean): PreparedOps {
  checkRendered(opts.workspaceRoot, opts.platform, command);
  const pipeline = readPipeline(opts.workspaceRoot, opts.platform);
  const area = stateArea(opts.workspaceRoot, opts.platform);
  const privateDir = resolvePrivateDir(opts.workspaceRoot, opts.platform, callerEnv);
  checkPrivateDir(privateDir);
  if (purgePrivate) checkPurgeablePrivateDir(opts.workspaceRoot, opts.platform, callerEnv, privateDir);
  const names = allSecretNames(pipeline);
  const env = { ...envWithPlatformSecrets(opts.workspaceRoot, opts.platform, callerEnv, names) };
  for (const n of hidden.names) if (!names.has(n)) delete env[n];
  const steps: OpStep[] =
    command === 'destroy'
      ? pipeline.teardown.map((step) => (step.purge === undefined || purgePrivate ? { step, run: true } : { step, run: false, reason: PURGE_SKIP }))
      : pipeline.backup.map((step) => ({ step, run: true }));
  const stage = command === 'destroy' ? TEARDOWN : BACKUP;
  const running = steps.filter((s) => s.run).map((s) => ({ stage, step: s.step }));
  checkTools(pipeline, new Set(running.map((r) => r.step.adapter)), env);
  checkSecrets(running, env);
  const masker = new Masker([...secretValues(env, names), ...hidden.values]);
  checkContextsHoldNoSecret(running, masker, opts.platform);
  return { area, privateDir, pipeline, steps, env, masker, allSecretNames: names };
}

function dryRun(command: RunCommand, stage: string, p: PreparedOps, state: StateBackend, purgePrivate: boolean, emit: EventSink): Ending {
  const total = p.steps.length;
  p.steps.forEach((s, i) =>
    emit({
      event: 'step_planned',
      step: s.step.id,
      stage,
      action: s.run ? 'run' : 'skip',
      status: 'always',
      description: s.step.description,
      ...(s.step.disruptive !== undefined && { disruptive: s.step.disruptive }),
      ...(s.step.purge !== undefined && { purge: s.step.purge }),
      ...(s.reason && { reason: s.reason }),
      index: i + 1,
      total,
    }),
  );
  if (command === 'destroy')
    for (const item of destroyItems(p, state, purgePrivate)) emit({ event: 'purge', ...item, action: item.delete ? 'would_delete' : 'would_keep', message: item.plan });
  const running = p.steps.filter((s) => s.run).length;
  if (total === 0) emit({ event: 'notice', message: `no adapter of ${p.area.platform} declares ${command === 'destroy' ? 'teardown steps' : 'a backup script'}` });
  emit({ event: 'notice', message: `dry run: ${running} step${running === 1 ? '' : 's'} would run; nothing was run, written or deleted` });
  return { exitCode: ExitCode.ok, outcome: 'dry_run' };
}

/** What destroy deletes or keeps besides running its steps, each with the line plan and the run print. */
function destroyItems(p: PreparedOps, state: StateBackend, purgePrivate: boolean): { item: PurgeItem; location: string; delete: boolean; plan: string; done: string }[] {
  const items: { item: PurgeItem; location: string; delete: boolean; plan: string; done: string }[] = [];
  const receipts = `${p.area.root}/receipts`;
  const remote = state.kind === 's3' ? ` and ${state.location}/receipts/` : '';
  // No teardown step at all tears nothing down: the cluster still runs what the receipts say.
  const clears = p.steps.length > 0 || purgePrivate;
  items.push({
    item: 'receipts',
    location: receipts,
    delete: clears,
    plan: clears
      ? `receipts: the bootstrap receipts in ${receipts}${remote} are cleared after every step succeeded (the cluster is gone: the next bootstrap runs every step)`
      : `receipts: kept in ${receipts}${remote} (no teardown step: nothing is torn down)`,
    done: clears ? `receipts: cleared ${receipts}${remote} (the next bootstrap runs every step)` : `receipts: kept in ${receipts}${remote} (no teardown step ran)`,
  });
  const keepHow = 'run "ztc destroy" again with --purge-private to delete it';
  items.push({
    item: 'private_dir',
    location: p.privateDir,
    delete: purgePrivate,
    plan: purgePrivate
      ? `private dir: ${p.privateDir} (credentials, backups) is deleted after every step succeeded`
      : `private dir: ${p.privateDir} (credentials, backups) is kept; ${keepHow}`,
    done: purgePrivate ? `private dir: deleted ${p.privateDir}` : `private dir: kept ${p.privateDir}; ${keepHow}`,
  });
  if (state.kind === 's3') {
    const what = `state, receipts${state.privateLocation ? ', the encrypted private dir' : ''}`;
    items.push({
      item: 'state_backend',
      location: state.location,
      delete: purgePrivate,
      plan: purgePrivate
        ? `state backend: every object of the platform under ${state.location}/ (${what}) is deleted after every step succeeded`
        : `state backend: ${state.location}/ (${what}) is kept, its receipts cleared; ${keepHow}`,
      done: purgePrivate ? `state backend: deleted every object of the platform under ${state.location}/` : `state backend: kept ${state.location}/ (receipts cleared); ${keepHow}`,
    });
  }
  const local = `${p.area.root}/state and ${p.area.root}/logs`;
  items.push({
    item: 'local_state',
    location: p.area.root,
    delete: purgePrivate,
    plan: purgePrivate ? `local state: ${local} (ZTC_STATE_DIR, step logs) are deleted after every step succeeded` : `local state: ${local} are kept; ${keepHow}`,
    done: purgePrivate ? `local state: deleted ${local}` : `local state: kept ${local}`,
  });
  return items;
}

async function execute(
  stage: string,
  p: PreparedOps,
  opts: OpsOptions,
  emit: EventSink,
  counts: { ran: number; skipped: number },
  session: StateSession | undefined,
  command: RunCommand,
  /** Run after every step succeeded, still under the local run lock. */
  after?: () => Promise<Ending>,
): Promise<Ending> {
  const { ctx, release } = openStepRun(p, opts, emit, session);
  try {
    if (p.steps.length === 0) emit({ event: 'notice', message: `no adapter of ${p.area.platform} declares ${command === 'destroy' ? 'teardown steps' : 'a backup script'}` });
    const total = p.steps.length;
    let index = 0;
    const rest = (): StepRef[] =>
      p.steps
        .slice(index)
        .filter((s) => s.run)
        .map((s) => ({ step: s.step.id, stage }));
    emit({ event: 'stage_started', stage, steps: total });
    for (const { step, run, reason } of p.steps) {
      if (opts.signal?.aborted) return { ...interrupted(opts.signal.reason, undefined, command), notRun: rest() };
      index++;
      if (!run) {
        counts.skipped++;
        emit({ event: 'step_skipped', step: step.id, stage, reason: `${reason}${step.purge ? ` (it ${step.purge})` : ''}`, index, total });
        continue;
      }
      counts.ran++;
      const r = await withHeartbeat(ctx, stage, step, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, { index, total });
      emit({ event: 'step_finished', step: step.id, stage, status: r.status, exit_code: r.exitCode, duration_ms: r.durationMs, required: step.required, log: r.log, index, total });
      const unsynced = await pushState(session);
      if (unsynced) return { ...unsynced, notRun: rest() };
      if (r.status === 'interrupted') return { ...interrupted(opts.signal?.reason, step.id, command), notRun: rest() };
      const end = verdict(stage, step, r, opts.signal);
      if (end) return { ...end, notRun: rest() };
    }
    return after ? await after() : { exitCode: ExitCode.ok, outcome: 'succeeded' };
  } finally {
    release();
  }
}

/** After every teardown step succeeded: clear the receipts; with --purge-private delete the private dir and the state, else say where they stay. */
async function afterDestroy(p: PreparedOps, state: StateBackend, session: StateSession | undefined, purgePrivate: boolean, emit: EventSink): Promise<Ending> {
  const items = destroyItems(p, state, purgePrivate);
  const say = (item: PurgeItem) => {
    const i = items.find((x) => x.item === item);
    if (i) emit({ event: 'purge', item, location: i.location, action: i.delete ? 'deleted' : 'kept', message: i.done });
  };
  try {
    if (items.find((i) => i.item === 'receipts')!.delete) {
      rmSync(p.area.abs(`${p.area.root}/receipts`), { recursive: true, force: true });
      // The ledger of receipts this machine wrote (restored-receipts.ts) goes with them.
      rmSync(p.area.abs(`${p.area.root}/local`), { recursive: true, force: true });
    }
    if (purgePrivate) {
      await session?.purge();
    } else {
      await session?.sync();
    }
    say('receipts');
    if (purgePrivate) rmSync(p.privateDir, { recursive: true, force: true });
    say('private_dir');
    say('state_backend');
    if (purgePrivate) for (const dir of ['state', 'logs']) rmSync(p.area.abs(`${p.area.root}/${dir}`), { recursive: true, force: true });
    say('local_state');
  } catch (e) {
    if (!isZtcError(e)) throw e;
    return { exitCode: e.exitCode, outcome: 'failed', error: e };
  }
  return { exitCode: ExitCode.ok, outcome: 'succeeded' };
}

/** Files of the private dir with size and mtime: what a backup script wrote is what changed. */
function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of listFiles(dir, { skip: () => false })) {
    try {
      const st = statSync(join(dir, f));
      out.set(f, `${st.size}:${st.mtimeMs}`);
    } catch {
      /* removed meanwhile */
    }
  }
  return out;
}

function reportBackup(p: PreparedOps, state: StateBackend, stored: string | undefined, before: Map<string, string>, emit: EventSink): void {
  const after = snapshotFiles(p.privateDir);
  const written = [...after].filter(([f, v]) => before.get(f) !== v).map(([f]) => f);
  const notice = (message: string) => emit({ event: 'notice', message });
  if (p.steps.length === 0) return;
  notice(`backup: written to the private dir ${p.privateDir}${written.length ? `: ${written.sort().join(', ')}` : ' (no file in it changed)'}`);
  if (stored) notice(`backup: the private dir is stored encrypted in the state backend at ${stored}`);
  else if (state.kind === 's3' && !state.privateLocation)
    notice(`backup: the state backend ${state.location} keeps no copy (platform.yaml state.private_dir is not set): copy ${p.privateDir} somewhere safe (docs/bootstrap.md)`);
  else if (state.kind === 's3')
    notice(
      `backup: not stored in the state backend ${state.privateLocation} (see above why): copy ${p.privateDir} somewhere safe, or run "ztc backup" again once it can be stored`,
    );
  else notice(`backup: it is on this machine only: copy ${p.privateDir} somewhere safe, or keep the private dir in an s3 state backend (docs/operations.md)`);
}
