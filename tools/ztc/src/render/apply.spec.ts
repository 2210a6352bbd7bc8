import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeChild } from '../../testing/node-child';
import { runCli } from '../../testing/run-cli';
import { snapshotDir } from '../../testing/snapshot-dir';
import { fixtureWorkspace, REPO_ROOT, tempWorkspace, type TempWorkspace } from '../../testing/temp-workspace';

const BIN = join(REPO_ROOT, 'tools/ztc/bin/ztc.js');

/** Another process in the middle of rendering platform demo: it holds the render lock and has a work dir. */
async function liveRender(ws: TempWorkspace) {
  const holder = nodeChild(`
    const attempt = src('util/pid-lock.ts').tryLock(${JSON.stringify(ws.path('platforms/demo/.ztc/render.lock'))});
    require('node:fs').mkdirSync(${JSON.stringify(ws.path('platforms/demo/.ztc-render-live/generated'))}, { recursive: true });
    console.log(attempt.held ? 'locked' : 'busy');
    await line();
    attempt.release();
    console.log('released');`);
  expect(await holder.nextLine()).toBe('locked');
  return holder;
}

/** Run the real bin; resolves with its exit code and output. */
function ztcProcess(ws: TempWorkspace, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ws.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('render output on disk', () => {
  it('is byte-identical when rendered twice, and a second render writes nothing (mtimes stay)', async () => {
    const ws = fixtureWorkspace();
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    // Age every file so a rewrite would be visible in its mtime.
    const old = new Date('2020-01-01T00:00:00Z');
    const dir = ws.path('platforms/demo');
    for (const rel of Object.keys(snapshotDir(dir).files)) utimesSync(`${dir}/${rel}`, old, old);
    const before = snapshotDir(dir);
    const second = await runCli(['render', 'demo'], ws.root);
    expect(second.stdout).toContain('up to date');
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('is identical in two workspaces whatever order the files were created in', async () => {
    const a = fixtureWorkspace();
    const b = tempWorkspace();
    // Copy adapters in reverse order so directory entry order differs.
    for (const name of ['storage', 'net', 'app']) cpSync(a.path(`adapters/${name}`), b.path(`adapters/${name}`), { recursive: true });
    cpSync(a.path('tools'), b.path('tools'), { recursive: true });
    cpSync(a.path('platforms'), b.path('platforms'), { recursive: true });
    expect((await runCli(['render', 'demo'], a.root)).code).toBe(0);
    expect((await runCli(['render', 'demo'], b.root)).code).toBe(0);
    expect(snapshotDir(b.path('platforms/demo')).files).toEqual(snapshotDir(a.path('platforms/demo')).files);
  });

  it('writes lock.json whose hashes are the sha256 of the files on disk, canonically formatted', async () => {
    const ws = fixtureWorkspace();
    await runCli(['render', 'demo'], ws.root);
    const text = ws.read('platforms/demo/lock.json');
    const lock = JSON.parse(text) as { files: Record<string, string>; platform_hash: string; pipeline_hash: string; artifacts_hash: string };
    expect(Object.keys(lock)).toEqual([...Object.keys(lock)].sort());
    expect(text.endsWith('}\n')).toBe(true);
    for (const [path, hash] of Object.entries(lock.files)) {
      expect(sha(readFileSync(ws.path(`platforms/demo/generated/${path}`)))).toBe(hash);
    }
    expect(Object.keys(lock.files).sort()).toEqual(Object.keys(snapshotDir(ws.path('platforms/demo/generated')).files).sort());
    expect(lock.platform_hash).toBe(sha(readFileSync(ws.path('platforms/demo/platform.yaml'))));
    expect(lock.pipeline_hash).toBe(sha(readFileSync(ws.path('platforms/demo/pipeline.yaml'))));
    const lines = Object.keys(lock.files)
      .sort()
      .map((p) => `${p}\0${lock.files[p]}\n`)
      .join('');
    expect(lock.artifacts_hash).toBe(createHash('sha256').update(lines).digest('hex'));
  });

  it('removes the files of an adapter that left the platform, and stray files', async () => {
    const ws = fixtureWorkspace();
    await runCli(['render', 'demo'], ws.root);
    ws.write('platforms/demo/generated/stray.txt', 'left behind\n');
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('    classes: [standard, fast]', '    classes: [standard]'));
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('removed  generated/storage/classes/fast.yaml');
    expect(existsSync(ws.path('platforms/demo/generated/storage/classes/fast.yaml'))).toBe(false);
    expect(existsSync(ws.path('platforms/demo/generated/stray.txt'))).toBe(false);
    expect(readdirSync(ws.path('platforms/demo')).filter((e) => e.startsWith('.ztc-render-'))).toEqual([]);
  });

  it('keeps unchanged files (same inode, same mtime) when other files change', async () => {
    const ws = fixtureWorkspace();
    await runCli(['render', 'demo'], ws.root);
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(ws.path('platforms/demo/generated/net/config.yaml'), old, old);
    ws.write('platforms/demo/platform.yaml', ws.read('platforms/demo/platform.yaml').replace('name: shop', 'name: store'));
    await runCli(['render', 'demo'], ws.root);
    const snap = snapshotDir(ws.path('platforms/demo/generated'));
    expect(snap.mtimes['net/config.yaml']).toBe(old.getTime());
    expect(ws.read('platforms/demo/generated/app/deployment.yaml')).toContain('name: store');
  });

  it('recovers the previous output when an earlier render died in the middle of its swap', async () => {
    const ws = fixtureWorkspace();
    await runCli(['render', 'demo'], ws.root);
    const before = snapshotDir(ws.path('platforms/demo/generated'));
    // Simulate a crash between "move generated away" and "move the new tree in".
    mkdirSync(ws.path('platforms/demo/.ztc-render-dead'));
    cpSync(ws.path('platforms/demo/generated'), ws.path('platforms/demo/.ztc-render-dead/previous'), { recursive: true });
    rmSync(ws.path('platforms/demo/generated'), { recursive: true });
    const result = await runCli(['render', 'demo'], ws.root);
    expect(result.code).toBe(0);
    expect(snapshotDir(ws.path('platforms/demo/generated')).files).toEqual(before.files);
    expect(existsSync(ws.path('platforms/demo/.ztc-render-dead'))).toBe(false);
  });
});

describe('concurrent renders of one platform', () => {
  it('refuse while another render holds the platform (exit 3 naming it) and never touch its work dir', async () => {
    const ws = fixtureWorkspace();
    const holder = await liveRender(ws);
    const refused = await runCli(['render', 'demo'], ws.root, { ZTC_RENDER_LOCK_WAIT_SECONDS: '0' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`another render of platform demo is running (pid ${holder.pid} on ${hostname()})`);
    expect(refused.stderr).toContain('platforms/demo/.ztc/render.lock');
    expect(existsSync(ws.path('platforms/demo/.ztc-render-live/generated'))).toBe(true);
    expect(existsSync(ws.path('platforms/demo/generated'))).toBe(false);

    holder.send('release');
    expect(await holder.nextLine()).toBe('released');
    expect((await runCli(['render', 'demo'], ws.root)).code).toBe(0);
    expect(existsSync(ws.path('platforms/demo/.ztc-render-live'))).toBe(false); // its render is over: a leftover now
  });

  it('serialize when started at the same moment: both succeed and the output is complete', async () => {
    const ws = fixtureWorkspace();
    const lines = Array.from({ length: 200 }, (_, i) => `'net/many/f${i}.yaml': 'n: ${i}\\n'`).join(', ');
    ws.write('adapters/net/render.ts', `export const render = (config: any) => ({ files: { ${lines} }, capabilities: { network: { cidr: config.cidr, mtu: config.mtu } } });\n`);
    for (let round = 0; round < 3; round++) {
      for (const p of ['generated', 'lock.json', 'pipeline.yaml']) rmSync(ws.path(`platforms/demo/${p}`), { recursive: true, force: true });
      const runs = await Promise.all([ztcProcess(ws, ['render', 'demo']), ztcProcess(ws, ['render', 'demo'])]);
      for (const r of runs) expect(r.code, r.out).toBe(0);
      const validate = await runCli(['validate', 'demo'], ws.root);
      expect(validate.code, validate.stdout).toBe(0);
    }
  });
});
