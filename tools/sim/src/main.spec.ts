/**
 * `npm run sim` as an operator runs it: interrupted, it stops bootstrap and removes its session (the
 * workspace copy, the private dir with the cluster's credentials, the temp dirs) like a finished run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const BIN = join(__dirname, '..', 'bin', 'ztc-sim.js');

describe('npm run sim', { timeout: 120_000 }, () => {
  it.each([[['example', '--world']], [['--world', '--status']], [['--world=', '--status']]])(
    '%j without a world dir is a usage error (exit 64), not a run in the checkout',
    async (args) => {
      const tmp = mkdtempSync(join(tmpdir(), 'ztc-sim-main-'));
      onTestFinished(() => rmSync(tmp, { recursive: true, force: true }));
      const sim = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
      onTestFinished(() => void sim.kill('SIGKILL'));
      let err = '';
      sim.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => sim.once('exit', resolve));
      expect(err).toContain('sim: --world needs a directory');
      expect(err).not.toContain('datacenter up');
      expect(code).toBe(64);
      expect(readdirSync(tmp)).toEqual([]);
    },
  );

  it.each(['SIGTERM', 'SIGINT'] as const)('stopped with %s: bootstrap ends with its signal exit code and no session is left', async (signal) => {
    const tmp = mkdtempSync(join(tmpdir(), 'ztc-sim-main-'));
    onTestFinished(() => rmSync(tmp, { recursive: true, force: true }));
    const sim = spawn(process.execPath, [BIN, 'example', '--quiet'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => void sim.kill('SIGKILL'));
    let out = '';
    const started = new Promise<void>((resolve) => {
      const watch = (chunk: Buffer): void => {
        out += chunk.toString();
        if (/\[\d+\/\d+\] \[talos\//.test(out)) resolve();
      };
      sim.stdout.on('data', watch);
      sim.stderr.on('data', watch);
    });
    await started;
    expect(readdirSync(tmp).filter((d) => d.startsWith('ztc-sim-'))).toHaveLength(1);
    sim.kill(signal);
    const code = await new Promise<number | null>((resolve) => sim.once('exit', resolve));
    expect(code).toBe(signal === 'SIGTERM' ? 143 : 130);
    expect(out).toContain(`sim: bootstrap exited ${signal === 'SIGTERM' ? 143 : 130}`);
    expect(readdirSync(tmp).filter((d) => d.startsWith('ztc-sim-'))).toEqual([]);
  });
});
