import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempWorkspace } from '../../testing/temp-workspace';
import { preparePrivateDir, resolvePrivateDir } from './private-dir';

const platformYaml = (meta: string) => `version: "1.0"\n${meta}adapters:\n  x: {}\n`;

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-private-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the private dir', () => {
  it('defaults to the user state dir, keyed by organization, app name and platform', () => {
    const ws = tempWorkspace({ 'platforms/prod/platform.yaml': platformYaml('platform:\n  organization: acme\n  app_name: shop\n') });
    expect(resolvePrivateDir(ws.root, 'prod', { HOME: '/home/op' })).toBe('/home/op/.local/state/ztc/acme/shop/prod');
    expect(resolvePrivateDir(ws.root, 'prod', { HOME: '/home/op', XDG_STATE_HOME: '/srv/state' })).toBe('/srv/state/ztc/acme/shop/prod');
    const bare = tempWorkspace({ 'platforms/dev/platform.yaml': platformYaml('') });
    expect(resolvePrivateDir(bare.root, 'dev', { HOME: '/home/op' })).toBe('/home/op/.local/state/ztc/_/_/dev');
  });

  it('is ZTC_PRIVATE_DIR when set, and never a folder inside the workspace', () => {
    const ws = tempWorkspace({ 'platforms/prod/platform.yaml': platformYaml('') });
    expect(resolvePrivateDir(ws.root, 'prod', { ZTC_PRIVATE_DIR: '/srv/ztc/prod' })).toBe('/srv/ztc/prod');
    for (const inside of [ws.root, ws.path('platforms/prod/.ztc/private')]) {
      expect(() => resolvePrivateDir(ws.root, 'prod', { ZTC_PRIVATE_DIR: inside })).toThrow(
        /is inside the workspace: credentials made during bootstrap would be committed or cached/,
      );
    }
  });

  it('is created 0700, and refused while other users can read it', () => {
    const dir = join(scratch(), 'a', 'b');
    preparePrivateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const loose = join(scratch(), 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    expect(() => preparePrivateDir(loose)).toThrow(`the private dir ${loose} is accessible to other users (mode 755); it holds cluster credentials: run "chmod 700 ${loose}"`);
  });
});
