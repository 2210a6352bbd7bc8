/** What a simulated CLI receives from its stub (../../stubs/forward) and answers. */
import { isAbsolute, join } from 'node:path';
import type { World } from './world';

export interface ExecRequest {
  /** The command name the stub was called as (talosctl, kubectl, helm, ssh, or a rescue-system tool). */
  tool: string;
  argv: string[];
  /** The caller's working directory: relative paths in argv are resolved against it. */
  cwd: string;
  /** Set for commands run inside a server's rescue system (over the simulated ssh). */
  host?: string;
  /** Set for commands run inside a pod's container (`namespace/workload/container`, over kubectl exec). */
  container?: string;
  /** ZTC_STEP of the caller, for the call log. */
  step?: string;
  /** KUBECONFIG, TALOSCONFIG and HOME of the caller. */
  env: Record<string, string>;
  /** Standard input, when the command reads it. */
  stdin?: Buffer;
}

export interface ExecResult {
  code: number;
  stdout?: string | Buffer;
  stderr?: string;
  /**
   * ssh and kubectl exec: run this command with real bash in the host's rescue system or the pod's
   * container (the stub does, with the simulated tools of that place on PATH).
   */
  run?: { kind: 'rescue' | 'container'; target: string; command: string };
}

export type SimTool = (world: World, req: ExecRequest) => ExecResult | Promise<ExecResult>;

export const ok = (stdout: string | Buffer = ''): ExecResult => ({ code: 0, stdout });
export const fail = (stderr: string, code = 1): ExecResult => ({ code, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n` });

export function pathIn(req: ExecRequest, path: string): string {
  return isAbsolute(path) ? path : join(req.cwd, path);
}

/** Resolve when `cond` holds, or false after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `10s`, `2m`, `5m0s`, `300` (seconds) → ms. */
export function durationMs(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms || fallbackMs;
}
