/**
 * A heartbeat for a step that goes quiet: after `intervalMs` without output it reports how long the
 * step has run and how long it has been silent, and again after each further `intervalMs` of silence,
 * so a person watching a long `talosctl` wait knows it is alive. Output resets it. Timers are unref'd:
 * a heartbeat never keeps the process alive.
 */
export interface HeartbeatOptions {
  intervalMs: number;
  onBeat(elapsedMs: number, silentMs: number): void;
  /** Clock (tests). @default Date.now */
  now?: () => number;
}

export class Heartbeat {
  private started = 0;
  /** When the step last wrote something (or started). */
  private lastOutput = 0;
  /** When the last beat was, so the next one comes a full interval later. */
  private lastBeat = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: HeartbeatOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.started = this.lastOutput = this.lastBeat = this.now();
    this.arm(this.opts.intervalMs);
  }

  /** The step wrote something. */
  touch(): void {
    this.lastOutput = this.now();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.tick(), Math.max(1, ms));
    this.timer.unref();
  }

  private tick(): void {
    const now = this.now();
    const quietSince = Math.max(this.lastOutput, this.lastBeat);
    const quiet = now - quietSince;
    if (quiet >= this.opts.intervalMs) {
      this.opts.onBeat(now - this.started, now - this.lastOutput);
      this.lastBeat = now;
      this.arm(this.opts.intervalMs);
    } else {
      this.arm(this.opts.intervalMs - quiet);
    }
  }
}
