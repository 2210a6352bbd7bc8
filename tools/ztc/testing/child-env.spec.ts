import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env';

const caller = {
  PATH: '/bin',
  HOME: '/home/u',
  LANG: 'C.UTF-8',
  CI: 'true',
  CLAUDECODE: '1',
  NX_DAEMON: 'true',
  VITEST_POOL_ID: '1',
  ZTC_CACHE_DIR: '/warm',
  ZTC_PRIVATE_DIR: '/p',
  npm_config_cache: '/npm',
  HCLOUD_TOKEN: 'real-token',
  AWS_ACCESS_KEY_ID: 'AKIA',
  KUBECONFIG: '/k',
  UNSET: undefined,
};

describe('childEnv', () => {
  it('minimal keeps only PATH, HOME, TMPDIR and the XDG dirs, then what is set (undefined removes)', () => {
    expect(childEnv('minimal', { set: { TERM: 'xterm', HOME: undefined } }, caller)).toEqual({ PATH: '/bin', TERM: 'xterm' });
  });

  it('nx drops the caller’s Nx, test runner, CI and agent settings, and keeps the rest', () => {
    const env = childEnv('nx', {}, caller);
    expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'HCLOUD_TOKEN', 'HOME', 'KUBECONFIG', 'LANG', 'PATH', 'ZTC_CACHE_DIR', 'ZTC_PRIVATE_DIR', 'npm_config_cache']);
  });

  it('bench and adopt also drop ZTC_* (a warm cache is not a fresh clone); adopt drops npm_* too', () => {
    expect(childEnv('bench', {}, caller)).not.toHaveProperty('ZTC_CACHE_DIR');
    expect(childEnv('bench', {}, caller)).toHaveProperty('CI', 'true');
    expect(Object.keys(childEnv('adopt', {}, caller)).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'HCLOUD_TOKEN', 'HOME', 'KUBECONFIG', 'LANG', 'PATH']);
  });

  it('sim drops whatever could reach real infrastructure, but what `keep` names', () => {
    const env = childEnv('sim', { keep: ['ZTC_PRIVATE_DIR', 'HCLOUD_TOKEN', 'S3_SECRET_KEY'] }, caller);
    expect(Object.keys(env).sort()).toEqual(['CI', 'CLAUDECODE', 'HCLOUD_TOKEN', 'HOME', 'LANG', 'PATH', 'ZTC_PRIVATE_DIR', 'npm_config_cache']);
    expect(childEnv('sim', {}, caller)).not.toHaveProperty('HCLOUD_TOKEN');
  });

  it("sim drops the caller's SOPS Age identity, so nothing in the simulation decrypts with a real key", () => {
    const env = childEnv('sim', {}, { PATH: '/bin', SOPS_AGE_KEY: 'AGE-SECRET-KEY-1REAL', SOPS_AGE_KEY_FILE: '/home/u/keys.txt' });
    expect(env).toEqual({ PATH: '/bin' });
  });

  it('names the policies when given an unknown one', () => {
    expect(() => childEnv('everything' as 'nx', {}, caller)).toThrow('no policy "everything" (one of: minimal, nx, bench, adopt, sim)');
  });

  it('loads as it is in an ES module script (scripts/*.mjs)', () => {
    const script = `import { childEnv } from ${JSON.stringify(require.resolve('./child-env.js'))}; process.stdout.write(JSON.stringify(childEnv('bench', {}, { NX_X: '1', ZTC_Y: '2', KEEP: '3' })));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ KEEP: '3' });
  });
});
