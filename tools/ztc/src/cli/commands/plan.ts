import type { StepStatus } from '../../bootstrap';
import { planBootstrap, type PlanEntry } from '../../bootstrap/plan';
import { stateArea } from '../../workspace/state-area';
import { planView } from '../../state/backend';
import { disruptiveMark } from '../../bootstrap/events';
import { describeChange } from '../../bootstrap/receipt-changes';
import { RECEIPT_INPUTS } from '../../bootstrap/receipts';
import { STAGES, type Stage } from '../../constants';
import { ConfigError, ExitCode, UsageError } from '../../errors';
import { FORMAT_VERSION } from '../../json-format';
import { diskCache } from '../../util/content-cache';
import { validatePlatform } from '../../validate/validate';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';
import { stageSecretDigests } from './plan-secret-digests';

/** A reason bootstrap would refuse: stable code, path, prose. */
interface Problem {
  code: string;
  path: string;
  message: string;
}

/** Prose for each step status (the status itself is the stable code). */
const STATUS_DETAIL: Record<StepStatus, string> = {
  done: `a receipt matches its ${RECEIPT_INPUTS}: bootstrap skips it`,
  pending: 'no receipt: bootstrap runs it',
  changed: `one of its ${RECEIPT_INPUTS.replace(/ and /, ' or ')} changed since its receipt (see changes): bootstrap runs it again`,
  always: 'validation and pre-flight steps run on every bootstrap',
  unknown:
    'its receipt matches all else, but a secret it receives has no value here (see secrets_unknown): bootstrap needs the value to tell, and runs the step unless the digest matches',
};

/** Whether bootstrap would accept the rendered output, and why not. */
function renderState(workspaceRoot: string, platform: string): { upToDate: boolean; problems: Problem[] } {
  try {
    const { drift } = validatePlatform(workspaceRoot, platform, { determinism: false, cache: diskCache() });
    return { upToDate: drift.length === 0, problems: drift.map((d) => ({ code: d.code, path: d.path, message: `${d.cause}: ${d.detail}` })) };
  } catch (e) {
    if (e instanceof ConfigError) return { upToDate: false, problems: e.issues.map((i) => ({ code: e.code, path: i.file, message: i.message })) };
    throw e;
  }
}

/** The steps as a table; a disruptive step's row ends with its mark, and a changed step is followed by what changed. */
function table(entries: PlanEntry[]): string[] {
  const rows = entries.map((e, i) => [
    String(i + 1),
    e.stage,
    e.step,
    e.adapter,
    `${e.timeout_seconds}s`,
    e.secret_env.join(',') || '-',
    e.status + (e.required ? '' : ' (optional)'),
  ]);
  const head = ['#', 'stage', 'step', 'adapter', 'timeout', 'secrets', 'status'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const indent = ' '.repeat(widths[0]! + 2);
  return [
    line(head),
    ...entries.flatMap((e, i) => [
      `${line(rows[i]!)}${disruptiveMark(e.disruptive)}`,
      ...e.changes.map((c) => `${indent}changed: ${describeChange(c)}`),
      ...e.secrets_unknown.map((n) => `${indent}unknown: secret ${n} has no value here (not exported, not in the ztc init secrets file): cannot tell whether it changed`),
    ]),
  ];
}

/** Like Terraform's -detailed-exitcode: 0 nothing to do, 2 steps pending or changed, 3 stale render. */
export function detailedExitCode(upToDate: boolean, steps: PlanEntry[]): number {
  if (!upToDate) return ExitCode.invalid;
  return steps.some((s) => s.status === 'pending' || s.status === 'changed' || s.status === 'unknown') ? ExitCode.drift : ExitCode.ok;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what bootstrap would run: steps in order with stage, timeout, secrets, done/pending/changed and what changed',
  usage: 'ztc plan [platform] [--json] [--detailed-exitcode] | ztc plan [platform] --secret-digests [--stage <stage>]',
  optionHelp: [
    '--json                print one JSON document {format_version, platform, up_to_date, problems, summary, steps: [...]} on stdout',
    '--detailed-exitcode   exit 0 when there is nothing to do, 2 when steps are pending, changed or unknown, 3 when the render is stale',
    '--secret-digests      what the Nx stage targets hash: for each secret the steps receive, its name and the keyed digest its',
    '                      receipt holds (or "unknown: ..." when it cannot be read: still exit 0), never a value (docs/nx.md)',
    `--stage <stage>       with --secret-digests: only the steps of this stage (${STAGES.join(', ')})`,
  ],
  options: { json: { type: 'boolean' }, 'detailed-exitcode': { type: 'boolean' }, 'secret-digests': { type: 'boolean' }, stage: { type: 'string' } },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const stage = values.stage as string | undefined;
    if (values['secret-digests']) {
      if (values.json || values['detailed-exitcode']) throw new UsageError('--secret-digests prints lines for Nx to hash: it goes with neither --json nor --detailed-exitcode');
      if (stage !== undefined && !(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage "${stage}" (expected one of ${STAGES.join(', ')})`);
      for (const line of stageSecretDigests(workspaceRoot, platform, stage as Stage | undefined, io.env)) io.out(line);
      return ExitCode.ok;
    }
    if (stage !== undefined) throw new UsageError('--stage goes with --secret-digests (plan always shows every stage)');
    // The receipts as the state backend holds them (s3: read without the lock; local: this checkout's).
    const view = await planView(workspaceRoot, platform, io.env, stateArea(workspaceRoot, platform), (m) => io.err(`warning: ${m}`));
    let steps: PlanEntry[];
    try {
      steps = planBootstrap(workspaceRoot, platform, io.env, view.area);
    } finally {
      view.dispose();
    }
    const { upToDate, problems } = renderState(workspaceRoot, platform);
    const detailed = detailedExitCode(upToDate, steps);
    const exitCode = values['detailed-exitcode'] ? detailed : ExitCode.ok;
    const count = (s: StepStatus): number => steps.filter((e) => e.status === s).length;
    if (values.json) {
      const summary = { steps: steps.length, done: count('done'), pending: count('pending'), changed: count('changed'), unknown: count('unknown'), always: count('always') };
      const doc = {
        format_version: FORMAT_VERSION,
        command: 'plan',
        platform,
        ok: true,
        exit_code: exitCode,
        up_to_date: upToDate,
        changes: detailed !== ExitCode.ok,
        problems,
        state: view.location,
        summary,
        steps: steps.map((s) => ({ ...s, changes: s.changes.map((c) => ({ ...c, message: describeChange(c) })), status_detail: STATUS_DETAIL[s.status] })),
      };
      io.out(JSON.stringify(doc, null, 2));
      return exitCode;
    }
    const pending = steps.filter((s) => s.status !== 'done').length;
    io.out(`${platformPath(workspaceRoot, platform)}: ${steps.length} step${steps.length === 1 ? '' : 's'}, ${steps.length - pending} done, ${pending} to run`);
    if (steps.length > 0) for (const line of table(steps)) io.out(`  ${line}`);
    if (view.location.startsWith('s3://')) io.err(`receipts read from the state backend ${view.location}`);
    if (!upToDate) {
      io.err(`warning: the rendered output is stale, so bootstrap would refuse; run "ztc render ${platform}" first:`);
      for (const p of problems) io.err(`  ${p.path}: ${p.message}`);
    }
    return exitCode;
  },
};
