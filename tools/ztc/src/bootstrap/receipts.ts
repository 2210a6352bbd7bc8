/**
 * Receipts: the record that a step finished successfully for exactly these inputs (CONTRACT §6 resume).
 * The key is the sha256 of the script's sha256, its libraries' sha256s, its resolved context, its
 * adapter's rendered files and its adapter version; a receipt
 * whose key matches means "skip". Receipts are canonical JSON with no time, path or secret in them, so
 * the same step on two machines writes byte-identical files: they are what the Nx stage targets cache.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Stage } from '../constants';
import type { PipelineStep } from '../render/pipeline';
import { canonicalJson, sha256 } from '../util/hash';
import { stepFileStem, type StateArea } from './state-area';

/** done: receipt matches · pending: no receipt · changed: receipt for other inputs · always: validation. */
export type StepStatus = 'done' | 'pending' | 'changed' | 'always';

export interface Receipt {
  receipt_version: 1;
  step: string;
  stage: Stage;
  adapter: string;
  adapter_version: string;
  script: string;
  script_sha256: string;
  context_sha256: string;
  key: string;
}

export function contextHash(step: PipelineStep): string {
  return sha256(canonicalJson(step.context));
}

/** What the receipt key covers, as messages name it (keep in step with receiptKey). */
export const RECEIPT_INPUTS = 'script, libraries, context, rendered files and adapter version';

/** What a receipt must match for the step to count as done. */
export function receiptKey(step: PipelineStep): string {
  return sha256(canonicalJson({ adapter_version: step.adapter_version, context_sha256: contextHash(step), files_sha256: step.files_sha256, libs: step.libs, script_sha256: step.sha256 }));
}

export function readReceipt(area: StateArea, stage: Stage, step: PipelineStep): Receipt | undefined {
  try {
    return JSON.parse(readFileSync(area.abs(area.receiptFile(stage, step.id)), 'utf8')) as Receipt;
  } catch {
    return undefined;
  }
}

export function stepStatus(area: StateArea, stage: Stage, step: PipelineStep): StepStatus {
  if (stage === 'validation') return 'always';
  const receipt = readReceipt(area, stage, step);
  if (!receipt) return 'pending';
  return receipt.key === receiptKey(step) ? 'done' : 'changed';
}

/** Write the receipt of a step that succeeded (atomically: a crash never leaves half a receipt). */
export function writeReceipt(area: StateArea, stage: Stage, step: PipelineStep): string {
  const rel = area.receiptFile(stage, step.id);
  const receipt: Receipt = {
    receipt_version: 1,
    step: step.id,
    stage,
    adapter: step.adapter,
    adapter_version: step.adapter_version,
    script: step.script,
    script_sha256: step.sha256,
    context_sha256: contextHash(step),
    key: receiptKey(step),
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
