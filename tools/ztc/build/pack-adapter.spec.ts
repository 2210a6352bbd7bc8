/** build/pack-adapter.js as a user runs it: the tarball of an adapter folder, and its errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = resolve(__dirname, '../../..');
const SCRIPT = join(REPO, 'tools/ztc/build/pack-adapter.js');
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ztc-pack-spec-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('pack-adapter.js', () => {
  it('packs one adapter folder into the current directory when --out is not given', () => {
    const cwd = tempDir();
    const r = spawnSync(process.execPath, [SCRIPT, join(REPO, 'adapters/github')], { cwd, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const tarball = r.stdout.trim();
    expect(tarball).toBe(join(cwd, tarball.split('/').pop() ?? ''));
    expect(tarball).toMatch(/ztc-adapter-github-.*\.tgz$/);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listing).toContain('package/adapter.yaml');
  });

  it('exits 3 naming package.json when its version differs from adapter.yaml', () => {
    const dir = tempDir();
    const copy = join(dir, 'github');
    cpSync(join(REPO, 'adapters/github'), copy, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.0-other' }));
    const r = spawnSync(process.execPath, [SCRIPT, copy, '--out', join(dir, 'out')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${join(copy, 'package.json')}: version 0.0.0-other differs from adapter.yaml's`);
  });

  it('exits 3 naming adapter.yaml when the folder is not an adapter', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/not-an-adapter', version: '1.0.0' }));
    const r = spawnSync(process.execPath, [SCRIPT, dir, '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(r.stderr).toBe(`error: ${join(dir, 'adapter.yaml')}: not found (an adapter folder has adapter.yaml beside package.json)\n`);
    expect(r.status).toBe(3);
  });

  it('exits 64 with the usage when no adapter folder is given', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--out', tempDir()], { encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('usage: node tools/ztc/build/pack-adapter.js');
  });
});
