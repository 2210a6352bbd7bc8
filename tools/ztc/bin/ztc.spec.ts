/** The `ztc` bin itself: what it answers without loading the engine gives the engine's own answer. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../testing/run-bin';
import { runCli } from '../testing/run-cli';
import { tempWorkspace } from '../testing/temp-workspace';

describe('ztc (bin)', () => {
  it.each([['--version'], ['-v']])('%s prints the package version, as the CLI does', async (flag) => {
    const ws = tempWorkspace();
    const version = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
    const bin = await runBin([flag], ws.root);
    expect(bin).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runCli([flag], ws.root)).stdout).toBe(version);
  });
});
