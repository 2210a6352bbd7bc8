import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli';
import { fixtureWorkspace, REPO_ROOT } from '../../testing/temp-workspace';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

describe('ztc CLI', () => {
  it('prints help listing the commands and exit codes', async () => {
    const r = await runCli(['--help'], REPO_ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/render\s+Render a platform/);
    expect(r.stdout).toMatch(/validate\s+Re-render in memory/);
    expect(r.stdout).toContain('64 usage error');
  });

  it('prints per-command help', async () => {
    const r = await runCli(['validate', '--help'], REPO_ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: ztc validate [platform] [--json]');
  });

  it.each([
    [['deploy'], 'unknown command "deploy"'],
    [['rendr'], 'did you mean "render"?'],
    [['render', '--fast'], 'unknown option "--fast" for "ztc render"\nUsage: ztc render [platform]\nRun "ztc render --help" for its options.'],
    [['validate', '--jsn'], 'unknown option "--jsn" for "ztc validate" (did you mean "--json"?)'],
    [['bootstrap', '--stage'], 'option "--stage <value>" of "ztc bootstrap" needs a value'],
    [['--fast'], 'unknown option "--fast"\nUsage: ztc <command> [platform] [options]'],
    [['render', 'a', 'b'], 'too many arguments: a b'],
    [[], 'Usage: ztc <command>'],
  ])('exits 64 for usage errors: %j', async (args, message) => {
    const r = await runCli(args, REPO_ROOT);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
  });

  it.each([['-v'], ['--version']])('prints the version for %s', async (flag) => {
    const r = await runCli([flag], REPO_ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['validate', 'dmeo', '--json'], 3, 'invalid_configuration'],
    [['plan', 'dmeo', '--json'], 3, 'invalid_configuration'],
    [['validate', '--json', '--nope'], 64, 'usage_error'],
  ])('with --json prints one JSON error document on stdout when it fails: %j', async (args, code, errorCode) => {
    const r = await runCli(args, fixtureWorkspace().root);
    expect(r.code).toBe(code);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ format_version: 2, command: args[0], ok: false, exit_code: code, error: { code: errorCode, message: expect.any(String) } });
    expect(r.stderr).toContain('error:');
  });

  it('uses the only platform when none is named, and asks for a name when there are several', async () => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render'], ws.root)).code).toBe(0);
    ws.write('platforms/other/platform.yaml', 'version: "1.0"\nadapters: { net: {} }\n');
    const r = await runCli(['render'], ws.root);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('several platforms exist (demo, other); name one');
  });

  it('finds the workspace from a subdirectory', async () => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.path('adapters/net'))).code).toBe(0);
  });

  it('exits 3 for an unknown platform, suggesting the closest', async () => {
    const r = await runCli(['render', 'dmeo'], fixtureWorkspace().root);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('platform "dmeo" not found');
    expect(r.stderr).toContain('did you mean "demo"?');
  });

  it('prints a stack trace only with --verbose', async () => {
    const ws = fixtureWorkspace();
    ws.write('adapters/net/render.ts', "export const render = () => { throw new Error('kaput'); };\n");
    const quiet = await runCli(['render', 'demo'], ws.root);
    const loud = await runCli(['render', 'demo', '--verbose'], ws.root);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    expect(loud.stderr).toMatch(/\n\s+at /);
  });

  it('runs as a real process through the bin with the documented exit codes', () => {
    const ws = fixtureWorkspace();
    const ok = spawnSync(process.execPath, [BIN, 'render', 'demo'], { cwd: ws.root, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('rendered 5 files from 3 adapters (net -> storage -> app)');
    ws.write(`platforms/demo/generated/net/config.yaml`, 'edited\n');
    const drift = spawnSync(process.execPath, [BIN, 'validate', 'demo'], { cwd: ws.root, encoding: 'utf8' });
    expect(drift.status).toBe(2);
    const usage = spawnSync(process.execPath, [BIN, 'validate', '--nope'], { cwd: ws.root, encoding: 'utf8' });
    expect(usage.status).toBe(64);
  });

  it('stops quietly when its output pipe is closed (ztc … | head)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes away before ztc writes
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(stderr).not.toContain('EPIPE');
  });
});

describe('the committed example platform', () => {
  it('equals a fresh render (validate exits 0 on the repository itself)', () => {
    const out = execFileSync(process.execPath, [BIN, 'validate', 'example', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toMatchObject({ clean: true, drift: [] });
  });
});
