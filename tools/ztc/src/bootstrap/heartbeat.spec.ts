import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from './heartbeat';

describe('Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('beats after each full interval of silence, with the elapsed and silent time; output resets it', () => {
    const beats: [number, number][] = [];
    const hb = new Heartbeat({ intervalMs: 10_000, onBeat: (e, s) => beats.push([e, s]), now: () => Date.now() });
    hb.start();
    vi.advanceTimersByTime(9_999);
    expect(beats).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(beats).toEqual([[10_000, 10_000]]);
    vi.advanceTimersByTime(5_000);
    hb.touch(); // output at 15 s
    vi.advanceTimersByTime(9_000);
    expect(beats).toHaveLength(1);
    vi.advanceTimersByTime(1_000); // 10 s after the output
    expect(beats).toEqual([
      [10_000, 10_000],
      [25_000, 10_000],
    ]);
    vi.advanceTimersByTime(10_000); // still silent: 20 s since the output at 15 s
    expect(beats[2]).toEqual([35_000, 20_000]);
    hb.stop();
    vi.advanceTimersByTime(60_000);
    expect(beats).toHaveLength(3);
  });
});
