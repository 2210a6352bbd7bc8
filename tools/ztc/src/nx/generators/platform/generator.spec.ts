/** `nx g @ztc/engine:platform`: the files it writes are the bytes `ztc init` and `ztc schema` write. */
import { logger } from '@nx/devkit';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../testing/run-cli';
import { fixtureWorkspace } from '../../../../testing/temp-workspace';
import { platformGenerator } from './generator';

describe('platform generator', () => {
  it('writes platform.schema.json as ztc writes it, unformatted, where the workspace formats with Prettier and does not ignore it', async () => {
    const { FsTree, flushChanges } = require('nx/src/generators/tree') as typeof import('nx/src/generators/tree');
    const ws = fixtureWorkspace();
    ws.write('.prettierrc', '{}\n');
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      const tree = new FsTree(ws.root, false);
      await platformGenerator(tree, { name: 'demo' });
      flushChanges(ws.root, tree.listChanges());
    } finally {
      info.mockRestore();
    }
    const schema = await runCli(['schema', 'demo'], ws.root);
    expect(schema.stdout).toContain('platforms/demo/platform.schema.json: up to date');
    expect(schema.code).toBe(0);
  });
});
