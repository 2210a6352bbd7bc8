/**
 * Receipts: the record that a step finished successfully for exactly these inputs (CONTRACT §6 resume).
 * The key is the sha256 of the script's sha256, its libraries' sha256s, its resolved context, its
 * adapter's rendered files, its adapter version and, for each secret it receives, a keyed digest
 * (HMAC-SHA256 with the platform's key from the private dir, secret-digests.ts); a receipt whose key
 * matches means "skip". Next to the key, a receipt keeps the digest of each part (libraries by name,
 * context by field path, files by path, secrets by name), so a changed step can say what changed
 * (receipt-changes.ts). Receipts are canonical JSON with no time, path outside the workspace or secret
 * in them, so the same step on two machines with the same key writes byte-identical files: they are
 * what the Nx stage targets cache. The engine version is recorded for information only: an engine
 * upgrade alone re-runs nothing (its script library ztc.sh is a `library` input of every step).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ENGINE_VERSION, type Stage } from '../constants';
import type { PipelineStep } from '../render/pipeline';
import { canonicalJson, sha256 } from '../util/hash';
import { contextChanges, contextDigests, contextValues, mapChanges, type Change } from './receipt-changes';
import type { StepSecretDigests } from './secret-digests';
import { stepFileStem, type StateArea } from '../workspace/state-area';

/**
 * done: receipt matches · pending: no receipt · changed: receipt for other inputs · always: validation
 * and pre-flight · unknown: the receipt matches all else, but a secret it covers has no value here.
 */
export type StepStatus = 'done' | 'pending' | 'changed' | 'always' | 'unknown';

export const RECEIPT_VERSION = 2;

export interface Receipt {
  receipt_version: 2;
  step: string;
  stage: Stage;
  adapter: string;
  adapter_version: string;
  /** The ztc that wrote it (information only: not part of the key). */
  engine_version: string;
  script: string;
  script_sha256: string;
  libs: Record<string, string>;
  files_sha256: string;
  files: Record<string, string>;
  context_sha256: string;
  /** Leaf path (`context.nodes[0].ip`) → sha256 of the leaf's canonical JSON. */
  context_digests: Record<string, string>;
  /** Short scalar leaves (a version, a count) as text, so plan can show what a changed one was: never secret, as all context. */
  context_values?: Record<string, string>;
  /** Secret name → HMAC-SHA256 of its value under the platform's digest key (never the value, never a plain hash). */
  secret_digests: Record<string, string>;
  /** Which digest key made them (a fingerprint of the key), for a step that receives secrets. */
  secret_key_id?: string;
  key: string;
}

/** What ztc 1 wrote (receipt_version 1): no libraries, files, context paths or secrets by part. */
interface ReceiptV1 {
  receipt_version: 1;
  adapter_version: string;
  script_sha256: string;
  context_sha256: string;
  key: string;
}

export function contextHash(step: PipelineStep): string {
  return sha256(canonicalJson(step.context));
}

/** What the receipt key covers, as messages name it (keep in step with receiptKey). */
export const RECEIPT_INPUTS = 'script, libraries, context, rendered files, adapter version and secrets';

/**
 * What a receipt must match for the step to count as done. A step that receives no secret has the key
 * ztc 1 gave it, so its receipt from before secret digests still counts.
 */
export function receiptKey(step: PipelineStep, secretDigests: Record<string, string> = {}): string {
  return sha256(
    canonicalJson({
      adapter_version: step.adapter_version,
      context_sha256: contextHash(step),
      files_sha256: step.files_sha256,
      libs: step.libs,
      script_sha256: step.sha256,
      ...(step.secret_env.length > 0 && { secret_digests: secretDigests }),
    }),
  );
}

export function readReceipt(area: StateArea, stage: Stage, step: PipelineStep): Receipt | ReceiptV1 | undefined {
  try {
    return JSON.parse(readFileSync(area.abs(area.receiptFile(stage, step.id)), 'utf8')) as Receipt | ReceiptV1;
  } catch {
    return undefined;
  }
}

export interface StepState {
  status: StepStatus;
  /** For `changed`: what changed since the receipt (empty otherwise). */
  changes: Change[];
  /** Secrets whose value is not set, so whether they changed cannot be told (status `unknown` when nothing else changed). */
  secretsUnknown: string[];
}

/**
 * Compare the step with its receipt.
 * @param secrets the digests of the secrets the step receives now (SecretDigester.of)
 */
export function stepState(area: StateArea, stage: Stage, step: PipelineStep, secrets: StepSecretDigests): StepState {
  if (stage === 'validation') return { status: 'always', changes: [], secretsUnknown: [] };
  const receipt = readReceipt(area, stage, step);
  if (!receipt) return { status: 'pending', changes: [], secretsUnknown: [] };
  const changes = receipt.receipt_version === RECEIPT_VERSION ? changesSince(receipt, step, secrets) : changesSinceV1(receipt, step);
  if (changes.length > 0) return { status: 'changed', changes, secretsUnknown: secrets.unknown };
  if (secrets.unknown.length > 0) return { status: 'unknown', changes, secretsUnknown: secrets.unknown };
  return { status: 'done', changes, secretsUnknown: [] };
}

function changesSince(r: Receipt, step: PipelineStep, secrets: StepSecretDigests): Change[] {
  const changes: Change[] = [];
  if (r.script_sha256 !== step.sha256) changes.push({ kind: 'script', name: step.script, change: 'modified' });
  changes.push(...mapChanges('library', r.libs, step.libs));
  if (r.adapter_version !== step.adapter_version) changes.push({ kind: 'adapter_version', name: step.adapter_version, change: 'modified', from: r.adapter_version });
  if (r.context_sha256 !== contextHash(step)) {
    const now = contextValues(step.context);
    const then = r.context_values ?? {};
    changes.push(
      ...contextChanges(r.context_digests ?? {}, contextDigests(step.context)).map((c) =>
        c.change === 'modified' && then[c.name] !== undefined && now[c.name] !== undefined ? { ...c, from: then[c.name], to: now[c.name] } : c,
      ),
    );
  }
  if (r.files_sha256 !== step.files_sha256) {
    const files = mapChanges('file', r.files, step.files ?? {});
    changes.push(...(files.length > 0 ? files : [{ kind: 'file', name: 'the set of rendered files', change: 'modified' } as Change]));
  }
  if (secrets.keyMissing) {
    changes.push({ kind: 'secret_digest_key', name: secrets.keyFile, change: 'removed' });
  } else if (r.secret_key_id && secrets.keyId && r.secret_key_id !== secrets.keyId && Object.keys(secrets.digests).length > 0) {
    // Another key (a private dir of another machine, or a new key): the digests say nothing about the values.
    changes.push({ kind: 'secret_digest_key', name: secrets.keyFile, change: 'modified' });
  } else {
    // A secret without a value here is `unknown`, not changed; one the step no longer receives is removed.
    const before = Object.fromEntries(Object.entries(r.secret_digests ?? {}).filter(([n]) => !secrets.unknown.includes(n)));
    changes.push(...mapChanges('secret', before, secrets.digests));
  }
  if (changes.length === 0 && !secrets.keyMissing && secrets.unknown.length === 0 && r.key !== receiptKey(step, secrets.digests)) {
    changes.push({ kind: 'receipt', name: 'the receipt does not match its own parts (edited by hand?)', change: 'modified' });
  }
  return changes;
}

/** A receipt of ztc 1 holds whole-step digests only; one of a step that receives secrets never counts. */
function changesSinceV1(r: ReceiptV1, step: PipelineStep): Change[] {
  if (step.secret_env.length > 0) return [{ kind: 'receipt', name: 'receipt from an older ztc (no secret digests)', change: 'modified' }];
  if (r.key === receiptKey(step)) return [];
  const changes: Change[] = [];
  if (r.script_sha256 !== step.sha256) changes.push({ kind: 'script', name: step.script, change: 'modified' });
  if (r.adapter_version !== step.adapter_version) changes.push({ kind: 'adapter_version', name: step.adapter_version, change: 'modified', from: r.adapter_version });
  if (r.context_sha256 !== contextHash(step)) changes.push({ kind: 'context', name: 'context', change: 'modified' });
  if (changes.length === 0) changes.push({ kind: 'receipt', name: 'libraries or rendered files (receipt from an older ztc, which names no parts)', change: 'modified' });
  return changes;
}

/** Write the receipt of a step that succeeded (atomically: a crash never leaves half a receipt). */
export function writeReceipt(area: StateArea, stage: Stage, step: PipelineStep, secretDigests: Record<string, string> = {}, secretKeyId?: string): string {
  const rel = area.receiptFile(stage, step.id);
  const receipt: Receipt = {
    receipt_version: RECEIPT_VERSION,
    step: step.id,
    stage,
    adapter: step.adapter,
    adapter_version: step.adapter_version,
    engine_version: ENGINE_VERSION,
    script: step.script,
    script_sha256: step.sha256,
    libs: step.libs,
    files_sha256: step.files_sha256,
    files: step.files ?? {},
    context_sha256: contextHash(step),
    context_digests: contextDigests(step.context),
    context_values: contextValues(step.context),
    secret_digests: secretDigests,
    ...(step.secret_env.length > 0 && secretKeyId && { secret_key_id: secretKeyId }),
    key: receiptKey(step, secretDigests),
  };
  const file = area.abs(rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, canonicalJson(receipt));
  renameSync(`${file}.tmp`, file);
  return rel;
}

/**
 * Remove receipts of a stage: all of them (`--fresh`), or those of steps no longer in the pipeline.
 * @returns workspace-relative paths removed
 */
export function pruneReceipts(area: StateArea, stage: Stage, keep: readonly PipelineStep[]): string[] {
  const dir = area.receiptsDir(stage);
  const wanted = new Set(keep.map((s) => `${stepFileStem(s.id)}.json`));
  let names: string[];
  try {
    names = readdirSync(area.abs(dir));
  } catch {
    return [];
  }
  const removed = names.filter((n) => !wanted.has(n)).map((n) => `${dir}/${n}`);
  for (const rel of removed) rmSync(area.abs(rel), { force: true });
  return removed;
}
