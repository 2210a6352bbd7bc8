/**
 * Telling receipts this machine wrote from receipts the Nx cache restored. A cached stage target never
 * runs `ztc bootstrap`: Nx puts its outputs (the stage's receipts, the state dir) back and replays its old
 * output, which reads as if the steps had just run. So each receipt bootstrap writes is also noted in a
 * local ledger (`.ztc/local/receipts.json`, not an Nx output, never cached); a receipt on disk that the
 * ledger does not know, byte for byte, came from elsewhere: the Nx cache (or a copy). The next run says
 * which, stage by stage, then notes them, so each restore is reported once.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pipeline } from '../render/pipeline';
import { sha256 } from '../util/hash';
import type { StateArea } from '../workspace/state-area';

export interface RestoredStage {
  stage: string;
  /** Ids of the steps whose receipts were restored. */
  steps: string[];
}

const ledgerFile = (area: StateArea): string => area.abs(`${area.root}/local/receipts.json`);

function readLedger(area: StateArea): Record<string, string> {
  try {
    return JSON.parse(readFileSync(ledgerFile(area), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeLedger(area: StateArea, ledger: Record<string, string>): void {
  const file = ledgerFile(area);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(ledger, Object.keys(ledger).sort(), 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function receiptHash(area: StateArea, rel: string): string | undefined {
  try {
    return sha256(readFileSync(area.abs(rel)));
  } catch {
    return undefined;
  }
}

/** Note receipts as this machine's (just written, or already reported as restored). */
export function noteLocalReceipts(area: StateArea, rels: readonly string[]): void {
  if (rels.length === 0) return;
  const ledger = readLedger(area);
  for (const rel of rels) {
    const hash = receiptHash(area, rel);
    if (hash) ledger[rel] = hash;
  }
  writeLedger(area, ledger);
}

/** Receipts of the pipeline's steps on disk that this machine did not write, by stage. */
export function findRestoredReceipts(area: StateArea, pipeline: Pipeline): { stages: RestoredStage[]; files: string[] } {
  const ledger = readLedger(area);
  const stages: RestoredStage[] = [];
  const files: string[] = [];
  for (const stage of pipeline.stages) {
    const steps: string[] = [];
    for (const step of stage.steps) {
      const rel = area.receiptFile(stage.name, step.id);
      const hash = receiptHash(area, rel);
      if (hash !== undefined && ledger[rel] !== hash) {
        steps.push(step.id);
        files.push(rel);
      }
    }
    if (steps.length > 0) stages.push({ stage: stage.name, steps });
  }
  return { stages, files };
}
