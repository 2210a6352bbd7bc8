/**
 * Render modules must be deterministic (CONTRACT §4). `validate` checks it: it renders every adapter a
 * second time with exactly the same inputs, but with the clock moved by a year and a few hours and with
 * other random numbers (Math.random, crypto), and names every module whose output changes. Moving the
 * clock also catches output that depends only on today's date, which two renders on one day would not.
 * State a module keeps between calls (a global counter) shows up the same way. Reads of files or the
 * environment are not detected.
 */
import type { AdapterManifest } from '../adapter/types';
import { ConfigError, type Issue } from '../errors';
import type { PlatformMetadata } from '../sdk/types';
import { renderAdapter, type AdapterOutput } from './render-adapter';

/** How far the clock moves for the second render: 367 days, 5 h, 7 min, 11.123 s (changes every field). */
const CLOCK_SHIFT_MS = ((367 * 24 + 5) * 60 + 7) * 60_000 + 11_123;

export interface DeterminismInput {
  workspaceRoot: string;
  adapters: ReadonlyMap<string, AdapterManifest>;
  configs: ReadonlyMap<string, Record<string, unknown>>;
  metadata: PlatformMetadata;
  /** The first render's outputs, in render order. */
  outputs: ReadonlyMap<string, AdapterOutput>;
}

/** Throws a ConfigError naming each render module whose output differs in a second render. */
export function checkDeterminism(input: DeterminismInput): void {
  const issues: Issue[] = [];
  const available = new Map<string, unknown>();
  for (const [name, first] of input.outputs) {
    const adapter = input.adapters.get(name)!;
    if (adapter.render) {
      const second = withOtherClockAndRandomness(() => renderAdapter(input.workspaceRoot, adapter, input.configs.get(name)!, input.metadata, available));
      const what = firstDifference(first, second);
      if (what) {
        issues.push({
          file: `${adapter.root}/${adapter.render}`,
          path: 'render',
          message: `not deterministic: ${what} differs between two renders with the same inputs`,
          hint: 'render must depend on (config, platform, capabilities) only: no Date.now(), new Date(), Math.random(), crypto random values or state kept between calls',
        });
      }
    }
    for (const [cap, payload] of Object.entries(first.capabilities)) available.set(cap, payload);
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

function firstDifference(a: AdapterOutput, b: AdapterOutput): string | undefined {
  for (const path of new Set([...Object.keys(a.files), ...Object.keys(b.files)])) {
    if (a.files[path] !== b.files[path]) return `generated/${path}`;
  }
  if (JSON.stringify(a.capabilities) !== JSON.stringify(b.capabilities)) return 'its capability payload';
  if (JSON.stringify(a.scriptContext) !== JSON.stringify(b.scriptContext)) return 'its script context';
  return undefined;
}

/** A small deterministic generator (mulberry32), so the "other" random numbers are reproducible. */
function generator(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run `fn` with the clock shifted and every common source of randomness replaced; restored afterwards. */
export function withOtherClockAndRandomness<T>(fn: () => T): T {
  // The module object itself (not an import namespace copy), so render modules see the replacements.
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const realPerformanceNow = performance.now.bind(performance);
  const next = generator(0x5eed);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
  const RealDate = Date;
  const now = (): number => RealDate.now() + CLOCK_SHIFT_MS;
  function ShiftedDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(now()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target);
  }
  ShiftedDate.prototype = RealDate.prototype;
  Object.assign(ShiftedDate, { now, parse: RealDate.parse, UTC: RealDate.UTC });
  const fill = <A extends ArrayBufferView | null>(view: A): A => {
    if (view) new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(bytes(view.byteLength));
    return view;
  };
  const uuid = (): string => {
    const h = bytes(16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const replaced: [object, string, unknown][] = [
    [globalThis, 'Date', ShiftedDate],
    [Math, 'random', next],
    [performance, 'now', () => realPerformanceNow() + CLOCK_SHIFT_MS],
    [crypto, 'randomBytes', bytes],
    [crypto, 'randomUUID', uuid],
    [crypto, 'randomInt', (a: number, b?: number) => (b === undefined ? Math.floor(next() * a) : a + Math.floor(next() * (b - a)))],
    [globalThis.crypto, 'randomUUID', uuid],
    [globalThis.crypto, 'getRandomValues', fill], // node:crypto's getRandomValues cannot be replaced; this one can
  ];
  const saved = replaced.map(([target, key]) => Object.getOwnPropertyDescriptor(target, key));
  for (const [target, key, value] of replaced) Object.defineProperty(target, key, { value, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    replaced.forEach(([target, key], i) => {
      const descriptor = saved[i];
      if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete (target as Record<string, unknown>)[key];
    });
  }
}
