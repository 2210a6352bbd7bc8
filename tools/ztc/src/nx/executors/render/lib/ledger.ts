/**
 * Which tasks this `nx` invocation's batches have left out (see early-cut-off.ts). If one of them comes
 * back in a later batch, its cache entry was missing (after `nx reset`, say): from then on the run
 * leaves nothing out, so it finishes in two batches instead of one per level of the capability graph.
 * Kept in a small file under the temp dir keyed by the nx process; losing it only costs speed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from '../../../../util/process-identity';

interface LedgerData {
  leftOut: string[];
  disabled: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class LeftOutLedger {
  private readonly file: string;
  private data: LedgerData;

  constructor(
    private readonly dir = join(tmpdir(), 'ztc-nx-batch'),
    // The start time (from /proc) keeps a recycled pid from inheriting an old ledger.
    invocation = `${process.ppid}-${processStartTime(process.ppid) ?? ''}`,
  ) {
    this.file = join(dir, `${invocation}.json`);
    this.data = this.read();
  }

  private read(): LedgerData {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LedgerData;
    } catch {
      return { leftOut: [], disabled: false };
    }
  }

  /** False once a left-out task has come back; records that it came back. */
  allows(taskIds: readonly string[]): boolean {
    if (!this.data.disabled && taskIds.some((id) => this.data.leftOut.includes(id))) {
      this.data.disabled = true;
      this.save();
    }
    return !this.data.disabled;
  }

  record(taskIds: readonly string[]): void {
    if (taskIds.length === 0) return;
    this.data.leftOut.push(...taskIds);
    this.save();
  }

  private save(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(this.file, JSON.stringify(this.data));
      for (const f of readdirSync(this.dir)) {
        const p = join(this.dir, f);
        if (Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { force: true });
      }
    } catch {
      /* an unwritable temp dir only costs speed */
    }
  }
}
