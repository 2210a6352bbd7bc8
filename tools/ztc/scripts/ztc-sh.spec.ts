/**
 * The adapter scripts' shared library (ztc.sh), exercised through real bash: context reading, ERROR
 * lines, waits bounded by the step deadline, and ztc::api against a loopback server (retries, status
 * codes, a bearer token that never appears on a command line).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const LIB = join(__dirname, 'ztc.sh');

function bash(body: string, env: Record<string, string> = {}, context: unknown = { name: 'demo', list: ['a', 'b c'], empty: [], flag: false }) {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-sh-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'context.json'), JSON.stringify(context));
  const script = `set -euo pipefail\n. "${LIB}"\n${body}\n`;
  // stdin from /dev/null, as ztc runs steps (bash reads ~/.bashrc when stdin is a socket).
  const child = spawn('bash', ['-c', script], {
    env: { PATH: process.env.PATH, ZTC_CONTEXT_FILE: join(dir, 'context.json'), ZTC_RETRY_DELAY: '0.05', ZTC_POLL_INTERVAL: '0.05', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, ...out })));
}

async function server(answers: ((req: IncomingMessage, body: string) => [number, string, Record<string, string>?])[]) {
  const seen: { method: string; url: string; auth?: string; agent?: string; body: string }[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, agent: req.headers['user-agent'], body });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      const [status, text, headers] = answer(req, body);
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(text);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
}

describe('ztc.sh', () => {
  it('reads the context: values, lists (also empty), and an ERROR that says what to do when a field is missing', async () => {
    const ok = await bash('ztc::ctx .name; ztc::ctx .flag; ztc::ctx_array items .list; printf "<%s>" "${items[@]}"; ztc::ctx_array none .empty; echo " ${#none[@]}"');
    expect(ok).toMatchObject({ code: 0, stdout: 'demo\nfalse\n<a><b c> 0\n' });
    const missing = await bash('x=$(ztc::ctx .nope); echo "after $x"');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^ERROR: context field \.nope is missing from .*context\.json: the script and pipeline\.yaml disagree; run "ztc render" and bootstrap again\n$/);
  });

  it('refuses to run without a context file, saying how to run a script by hand', async () => {
    const r = await bash('ztc::init; echo never', { ZTC_CONTEXT_FILE: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: ZTC_CONTEXT_FILE is not set: run this script through "ztc bootstrap", or by hand as ZTC_CONTEXT_FILE=<context.json> bash <script>');
  });

  it('wait_until returns as soon as the command succeeds, and gives up at the step deadline less the margin', async () => {
    const soon = await bash('n=0; probe() { n=$((n+1)); ((n >= 3)); }; ztc::wait_until "three tries" probe && echo "ok after $n"');
    expect(soon.stdout).toBe('ok after 3\n');
    const started = Date.now();
    const never = await bash('ztc::wait_until "never" false || echo gave-up', { ZTC_STEP_DEADLINE: String(Math.floor(Date.now() / 1000) + 3), ZTC_WAIT_MARGIN: '1' });
    expect(never.stdout).toBe('gave-up\n');
    expect(never.stderr).toMatch(/^WARNING: gave up waiting for never after [12] s\n$/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('wait_until does not sleep past the deadline: with a long poll interval it gives up at once', async () => {
    const started = Date.now();
    const r = await bash('ztc::wait_until "slow" false || echo gave-up', {
      ZTC_STEP_DEADLINE: String(Math.floor(Date.now() / 1000) + 6),
      ZTC_WAIT_MARGIN: '1',
      ZTC_POLL_INTERVAL: '30',
    });
    expect(r.stdout).toBe('gave-up\n');
    expect(r.stderr).toMatch(/^WARNING: gave up waiting for slow after 0 s\n$/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ctx_require stops the script with an ERROR when a field is missing, before any loop reads it', async () => {
    const ok = await bash('ztc::ctx_require .name && echo present');
    expect(ok.stdout).toBe('present\n');
    const missing = await bash('ztc::ctx_require .name .nope; echo never');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^ERROR: context field \.nope is missing from .*context\.json/);
  });

  it('api: sends the bearer token only in a header (never in argv), names the step, retries 5xx and 429, returns the body', async () => {
    const { url, seen } = await server([() => [503, '{}'], () => [429, '{}', { 'Retry-After': '0' }], () => [200, '{"servers":[1,2]}']]);
    // A curl that records its command line before running the real one.
    const spy = mkdtempSync(join(tmpdir(), 'ztc-sh-curl-'));
    onTestFinished(() => rmSync(spy, { recursive: true, force: true }));
    const realCurl = execFileSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
    writeFileSync(join(spy, 'curl'), `#!/usr/bin/env bash\nprintf '%s\\n' "$@" >>"${spy}/argv"\nexec ${realCurl} "$@"\n`, { mode: 0o755 });
    const r = await bash(`ztc::api -t TOKEN GET "${url}/v1/servers" | jq -c .servers`, { TOKEN: 'sekret-token-value', ZTC_STEP: 'demo/step', PATH: `${spy}:${process.env.PATH}` });
    expect(readFileSync(join(spy, 'argv'), 'utf8')).toContain('/v1/servers');
    expect(readFileSync(join(spy, 'argv'), 'utf8')).not.toContain('sekret');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('[1,2]\n');
    expect(r.stderr).toMatch(/HTTP 503, retrying in 0\.05 s \(1\/6\)\n.*HTTP 429, retrying in 0 s \(2\/6\)\n$/);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer sekret-token-value', 'Bearer sekret-token-value', 'Bearer sekret-token-value']);
    expect(seen[0]!.agent).toBe('ztc (demo/step)');
  });

  it("api: tells 401, 403, 404 and 409 apart by status, prints the API's message, and gives up after the last attempt", async () => {
    for (const [status, rc] of [
      [401, 3],
      [403, 4],
      [404, 5],
      [409, 6],
      [422, 1],
    ] as const) {
      const { url } = await server([() => [status, JSON.stringify({ error: { code: 'x', message: `said ${status}` } })]]);
      const r = await bash(`ztc::api GET "${url}/thing" || echo "rc=$?"`);
      expect(r.stdout).toBe(`rc=${rc}\n`);
      expect(r.stderr).toBe(`GET ${url}/thing: HTTP ${status} (said ${status})\n`);
    }
    const { url } = await server([() => [500, '{}']]);
    const r = await bash(`ztc::api POST "${url}/x" '{"a":1}' || echo "rc=$?"`, { ZTC_API_ATTEMPTS: '2' });
    expect(r.stdout).toBe('rc=2\n');
    expect(r.stderr).toContain(`POST ${url}/x: HTTP 500 after 2 attempts`);
  });

  it("passes shellcheck, as do the simulated datacenter's stubs", () => {
    const stub = join(__dirname, '..', '..', 'sim', 'stubs', 'forward');
    expect(() => execFileSync('shellcheck', ['--shell=bash', LIB, stub], { encoding: 'utf8' })).not.toThrow();
  });
});
