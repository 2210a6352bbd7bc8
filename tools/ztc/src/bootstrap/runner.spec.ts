import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Masker } from './masker';
import { isProcessAlive } from './process-group';
import { runScript, type OutputStream, type RunScriptOptions } from './runner';

const CANARY = 'canary-0f3a9c-SECRET-value';

function tmpRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'ztc-runner-test-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function run(body: string, extra: Partial<RunScriptOptions> = {}) {
  const root = extra.tmpRoot ?? tmpRoot();
  const lines: [OutputStream, string][] = [];
  const result = await runScript({
    script: Buffer.from(`#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`),
    fileName: 'step.sh',
    displayPath: 'adapters/demo/scripts/step.sh',
    context: { greeting: 'hello' },
    env: { PATH: process.env.PATH ?? '', CANARY },
    timeoutMs: 20_000,
    killGraceMs: 300,
    masker: new Masker([CANARY]),
    onLine: (stream, line) => lines.push([stream, line]),
    tmpRoot: root,
    ...extra,
  });
  return { result, lines, root, out: lines.map(([, l]) => l) };
}

/** A background `sleep` started by the script; its pid is printed as `bg=<pid>`. */
function backgroundPid(out: string[]): number {
  const line = out.find((l) => l.startsWith('bg='));
  expect(line).toBeDefined();
  return Number(line!.slice(3));
}

describe('runScript', () => {
  it('runs bash in a private temp dir with the context file (0600), script (0700) and dir (0700)', async () => {
    const { result, out, root } = await run(
      ['echo "cwd=$(pwd)"', 'echo "dir=$(stat -c %a .) file=$(stat -c %a "$ZTC_CONTEXT_FILE")"', 'stat -c "script=%a" "$0"', 'jq -r ".greeting" "$ZTC_CONTEXT_FILE"'].join('\n'),
    );
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(out[0]).toBe('cwd=<ztc-secure-dir>');
    expect(out[1]).toBe('dir=700 file=600');
    expect(out[2]).toBe('script=700');
    expect(out[3]).toBe('hello');
    expect(readdirSync(root)).toEqual([]);
  });

  it('masks a secret in stdout and stderr, also when the script writes it in two pieces', async () => {
    const { out, lines } = await run(
      ['printf "start %s" "${CANARY:0:9}"', 'sleep 0.1', 'printf "%s end\\n" "${CANARY:9}"', 'echo "err $CANARY" >&2', 'printf "%s" "$CANARY" | base64'].join('\n'),
    );
    expect(out).toEqual(['start *** end', 'err ***', expect.stringContaining('***')]);
    expect(lines[1]![0]).toBe('stderr');
    expect(JSON.stringify(lines)).not.toContain(CANARY.slice(0, 9));
  });

  it('passes the exit code through and names the workspace script, not the temp copy, in errors', async () => {
    const { result, out, root } = await run('echo before\nno-such-command-xyz\necho after');
    expect(result).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(out).toContain('before');
    expect(out.join('\n')).toMatch(/^adapters\/demo\/scripts\/step\.sh: line 4: no-such-command-xyz: command not found$/m);
    expect(out).not.toContain('after');
    expect(readdirSync(root)).toEqual([]);
  });

  it('on timeout stops the whole process group, background children included, and returns 124', async () => {
    const { result, out, root } = await run('sleep 300 &\necho "bg=$!"\nsleep 300', { timeoutMs: 500 });
    expect(result).toMatchObject({ status: 'timed_out', exitCode: 124 });
    expect(isProcessAlive(backgroundPid(out))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('KILLs a group that ignores TERM once the grace period is over', async () => {
    const { result, out } = await run('trap \'\' TERM\nsleep 300 &\necho "bg=$!"\nwait', { timeoutMs: 300, killGraceMs: 200 });
    expect(result.exitCode).toBe(124);
    expect(isProcessAlive(backgroundPid(out))).toBe(false);
  });

  it('does not let background jobs outlive a script that succeeded', async () => {
    const { result, out } = await run('sleep 300 &\necho "bg=$!"\nexit 0');
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(isProcessAlive(backgroundPid(out))).toBe(false);
  });

  it('does not hang on a process that left the group and its token (env -i) and holds the output pipe', async () => {
    const { result, out } = await run('setsid env -i /bin/sleep 300 &\necho "bg=$!"\nexit 0');
    const escaped = backgroundPid(out);
    onTestFinished(() => {
      if (isProcessAlive(escaped)) process.kill(escaped, 'SIGKILL');
    });
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  /**
   * Descendants that left the step's process group: a `setsid` grandchild (own session and group) and a
   * double-forked one (its parent exited, so it is re-parented, in a new session too). Each prints its
   * pid; none may survive the step, however it ends.
   */
  const ESCAPERS = [
    'setsid sleep 300 </dev/null >/dev/null 2>&1 &',
    'echo "bg=$!"',
    // Double fork: a subshell starts a setsid'd sleep in the background and exits at once.
    '( setsid bash -c \'echo "bg=$$"; exec sleep 300\' </dev/null & )',
    'sleep 0.3',
  ].join('\n');

  const escapedPids = (out: string[]) => {
    const pids = out.filter((l) => l.startsWith('bg=')).map((l) => Number(l.slice(3)));
    onTestFinished(() => {
      for (const pid of pids) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    return pids;
  };

  it.each([
    ['times out', `${ESCAPERS}\nsleep 300`, { timeoutMs: 1500 }, { status: 'timed_out', exitCode: 124 }],
    ['exits', `${ESCAPERS}\nexit 0`, {}, { status: 'succeeded', exitCode: 0 }],
    ['fails', `${ESCAPERS}\nexit 3`, {}, { status: 'failed', exitCode: 3 }],
  ] as const)('leaves no setsid or double-forked descendant when the script %s (found by ZTC_STEP_TOKEN)', async (_when, body, extra, expected) => {
    const { result, out } = await run(body, extra);
    expect(result).toMatchObject(expected);
    const pids = escapedPids(out);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
  });

  it('leaves no setsid descendant when aborted, also one that ignores TERM (KILL after the grace period)', async () => {
    const controller = new AbortController();
    const out: string[] = [];
    const { result } = await run(`setsid bash -c 'trap "" TERM; echo "bg=$$"; while :; do sleep 1; done' </dev/null &\nsleep 300`, {
      signal: controller.signal,
      killGraceMs: 300,
      onLine: (_s, line) => (out.push(line), line.startsWith('bg=') && controller.abort('SIGTERM')),
    });
    expect(result).toMatchObject({ status: 'interrupted', exitCode: 143 });
    const pids = escapedPids(out);
    expect(pids).toHaveLength(1);
    expect(isProcessAlive(pids[0]!)).toBe(false);
  });

  it('stops the group when aborted and reports the signal as 130 (SIGINT) or 143 (SIGTERM)', async () => {
    for (const [reason, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const controller = new AbortController();
      const root = tmpRoot();
      const pending = run('sleep 300 &\necho "bg=$!"\nsleep 300', {
        signal: controller.signal,
        tmpRoot: root,
        onLine: (_s, line) => line.startsWith('bg=') && controller.abort(reason),
      });
      const { result } = await pending;
      expect(result).toMatchObject({ status: 'interrupted', exitCode: code });
      expect(readdirSync(root)).toEqual([]);
    }
  });

  it('gives the script exactly the environment it is handed, plus ZTC_CONTEXT_FILE, ZTC_LIB_DIR, ZTC_STEP_DEADLINE and ZTC_STEP_TOKEN', async () => {
    const { out } = await run('env | cut -d= -f1 | sort | tr "\\n" " "', { env: { PATH: process.env.PATH ?? '', ONLY: '1' } });
    const names = out[0]!.trim().split(' ');
    expect(names).toEqual(expect.arrayContaining(['ONLY', 'PATH', 'ZTC_CONTEXT_FILE', 'ZTC_LIB_DIR', 'ZTC_STEP_DEADLINE', 'ZTC_STEP_TOKEN']));
    expect(names).not.toContain('CANARY');
  });

  it('puts the libraries next to the script (sourceable through ZTC_LIB_DIR) and tells the step its deadline', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { result, out } = await run('. "$ZTC_LIB_DIR/greet.sh"\ngreet\necho "deadline=$ZTC_STEP_DEADLINE mode=$(stat -c %a "$ZTC_LIB_DIR/greet.sh")"', {
      libs: [{ name: 'greet.sh', content: Buffer.from('greet() { echo "hi from lib"; }\n') }],
      timeoutMs: 60_000,
    });
    expect(result.status).toBe('succeeded');
    expect(out[0]).toBe('hi from lib');
    const [, deadline, mode] = /^deadline=(\d+) mode=(\d+)$/.exec(out[1]!)!;
    expect(Number(deadline)).toBeGreaterThanOrEqual(before + 60);
    expect(Number(deadline)).toBeLessThanOrEqual(before + 62);
    expect(mode).toBe('600');
  });
});
