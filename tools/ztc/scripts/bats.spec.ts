/**
 * The script library's own bats specs (test/*.bats: sourcing, ztc::init and the ERR trap, context with
 * --arg, waits, the retry loop, the HTTP-failure helper, the Kubernetes helpers against a stand-in
 * kubectl), run by `npm test` through bats-core from npm. The engine's `lint` target runs them too.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBats } from '../src/nx/executors/lint/lib/bats';

const ROOT = join(__dirname, '..', '..', '..');

describe('ztc.sh (bats)', () => {
  it('passes every bats spec of the library', async () => {
    const r = await runBats(ROOT, join(__dirname, 'test'));
    expect(r.failure).toBeUndefined();
    expect(r.findings).toEqual([]);
    expect(r.tap).toMatch(/^1\.\.\d+$/m);
    expect(r.tap).toMatch(/^ok \d+ the ERR trap names the file, line, function and command/m);
  });

  it("reports a failing spec with bats' explanation", async () => {
    const r = await runBats(ROOT, join(__dirname, '__fixtures__', 'failing.bats'));
    expect(r.findings).toEqual([expect.stringMatching(/^not ok 1 fails on purpose\n {2}\(in test file .*failing\.bats, line 3\)\n {4}`\[ 1 -eq 2 \]' failed/)]);
  });
});
