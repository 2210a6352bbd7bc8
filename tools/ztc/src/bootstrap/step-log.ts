/**
 * Per-step log files (`platforms/<p>/.ztc/logs/<stage>/<adapter>.<step>.log`): a header naming the step,
 * its script and the start time, every output line, and a footer with the exit code. Lines arrive
 * already masked from the runner; the header and footer pass the masker too, so nothing unmasked is
 * ever written. Writes are synchronous, so the log is complete even when ztc is killed.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PipelineStep } from '../render/pipeline';
import type { Masker } from './masker';
import type { OutputStream, RunScriptResult } from './runner';

export class StepLog {
  private fd: number | undefined;

  constructor(
    absPath: string,
    private readonly masker: Masker,
  ) {
    mkdirSync(dirname(absPath), { recursive: true });
    this.fd = openSync(absPath, 'w', 0o600);
  }

  header(step: PipelineStep, stage: string): void {
    this.write(`# step: ${step.id}`);
    this.write(`# stage: ${stage}`);
    this.write(`# adapter: ${step.adapter} ${step.adapter_version}`);
    this.write(`# script: ${step.script} (sha256 ${step.sha256})`);
    this.write(`# description: ${step.description}`);
    this.write(`# started: ${new Date().toISOString()}`);
  }

  line(stream: OutputStream, text: string): void {
    this.write(stream === 'stderr' ? `[stderr] ${text}` : text);
  }

  /** Footer with the outcome; closes the file. */
  finish(result: RunScriptResult): void {
    this.write(`# finished: ${result.status}, exit code ${result.exitCode}, ${result.durationMs} ms`);
    this.close();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(text: string): void {
    if (this.fd !== undefined) writeSync(this.fd, `${this.masker.mask(text)}\n`);
  }
}
