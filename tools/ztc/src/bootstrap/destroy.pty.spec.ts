/**
 * `ztc destroy` in a real terminal (testing/pty.ts): without --confirm it asks for the platform's name;
 * the name typed confirms it and the teardown steps run, another name refuses and nothing runs.
 */
import { describe, expect, it } from 'vitest';
import { KEY, ptySpawn } from '../../testing/pty';
import { minimalEnv, ZTC_BIN } from '../../testing/run-bin';
import { fixtureWorkspace, PLATFORM, type FixtureAdapter } from './__fixtures__/fixture-workspace';

const ADAPTERS: FixtureAdapter[] = [
  { name: 'alpha', cni: 'requires', teardown: [{ name: 'uninstall', script: 'record' }] },
  { name: 'zeta', cni: 'provides', teardown: [{ name: 'unnet', script: 'record' }] },
];

function destroyInTerminal() {
  const fx = fixtureWorkspace(ADAPTERS);
  const t = ptySpawn([process.execPath, ZTC_BIN, 'destroy', PLATFORM], {
    cwd: fx.root,
    env: minimalEnv({ TERM: 'xterm', ZTC_PRIVATE_DIR: fx.privateDir, TMPDIR: fx.tmpRoot }),
  });
  return { fx, t };
}

describe('ztc destroy in a terminal', () => {
  it('asks for the platform name; typed, it runs the teardown steps', async () => {
    const { fx, t } = destroyInTerminal();
    await t.expect('Type the platform name to confirm');
    t.type(`${PLATFORM}${KEY.enter}`);
    await t.expect(`ztc destroy ${PLATFORM}: succeeded`);
    expect(await t.exit()).toBe(0);
    expect(fx.order()).toEqual(['alpha/uninstall', 'zeta/unnet']);
  });

  it('another name typed: refused, exit 3, nothing run', async () => {
    const { fx, t } = destroyInTerminal();
    await t.expect('Type the platform name to confirm');
    t.type(`prod${KEY.enter}`);
    await t.expect(`does not match the platform "${PLATFORM}"; nothing was run`);
    expect(await t.exit()).toBe(3);
    expect(fx.order()).toEqual([]);
  });
});
