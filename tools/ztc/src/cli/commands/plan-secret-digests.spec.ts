import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../testing/run-cli';
import { fixtureWorkspace, PLATFORM, type FixtureAdapter, type FixtureWorkspace } from '../../bootstrap/__fixtures__/fixture-workspace';
import { RECEIPT_KEY_FILE } from '../../bootstrap/secret-digests';
import { updateEnvFile } from '../../secrets/env-file';

const A1 = 'token-a-first-5b8e20';
const A2 = 'token-a-rotated-c13f9d';
const B = 'token-b-stored-0e4a77';

/** pre-work receives TOKEN_A; bootstrap TOKEN_B and TOKEN_A again; post-work nothing. */
const VAULT: FixtureAdapter = {
  name: 'vault',
  stages: {
    'pre-work': [{ name: 'a', script: 'record', secrets: ['TOKEN_A'] }],
    bootstrap: [
      { name: 'b', script: 'record', secrets: ['TOKEN_B'] },
      { name: 'd', script: 'record', secrets: ['TOKEN_A'] },
    ],
    'post-work': [{ name: 'e', script: 'record' }],
    validation: [{ name: 'check', script: 'record' }],
  },
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The environment of a run: only what is given (no secret of the caller's). */
const env = (fx: FixtureWorkspace, vars: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: fx.tmpRoot,
  XDG_CONFIG_HOME: join(fx.tmpRoot, 'config'),
  ZTC_PRIVATE_DIR: fx.privateDir,
  ZTC_SECRETS_FILE: '',
  TOKEN_A: '',
  TOKEN_B: '',
  ...vars,
});

async function digests(fx: FixtureWorkspace, stage: string, vars: Record<string, string> = {}): Promise<string[]> {
  const r = await runCli(['plan', PLATFORM, '--stage', stage, '--secret-digests'], fx.root, env(fx, vars));
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n');
}

describe('ztc plan --secret-digests (what the Nx stage targets hash)', () => {
  it("prints the receipts' keyed digests by name: never a value or its sha256; stable while the value is the one applied, never while a rotation is pending; unknown when absent", async () => {
    const fx = fixtureWorkspace([VAULT]);
    // Before the first run there is no key: names with a stable marker, whatever the values.
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B })).toEqual(['TOKEN_A unknown: no digest key', 'TOKEN_B unknown: no digest key']);
    expect(await digests(fx, 'bootstrap')).toEqual(['TOKEN_A unknown: no value here', 'TOKEN_B unknown: no value here']);

    expect((await fx.run({ env: env(fx, { TOKEN_A: A1, TOKEN_B: B }) })).result.exitCode).toBe(0);
    const first = await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B });
    expect(first).toEqual([expect.stringMatching(/^TOKEN_A [0-9a-f]{64}$/), expect.stringMatching(/^TOKEN_B [0-9a-f]{64}$/)]);
    // The very digests the receipts hold, so Nx misses exactly when bootstrap would re-run a step.
    const receipt = (stage: string, step: string) =>
      JSON.parse(fx.ws.read(`platforms/${PLATFORM}/.ztc/receipts/${stage}/vault.${step}.json`)) as { secret_digests: Record<string, string> };
    expect(first).toEqual([`TOKEN_A ${receipt('bootstrap', 'd').secret_digests.TOKEN_A}`, `TOKEN_B ${receipt('bootstrap', 'b').secret_digests.TOKEN_B}`]);
    const text = first.join('\n');
    for (const secret of [A1, B]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sha256(secret));
      expect(text).not.toContain(sha256(`TOKEN_${secret === A1 ? 'A' : 'B'}\0${secret}`));
    }

    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B })).toEqual(first);
    // Only the stage's own steps: pre-work receives TOKEN_A alone, post-work nothing.
    expect(await digests(fx, 'pre-work', { TOKEN_A: A1, TOKEN_B: B })).toEqual([first[0]]);
    expect(await digests(fx, 'post-work', { TOKEN_A: A1, TOKEN_B: B })).toEqual(['no secrets']);

    // Rotated: another digest, and until the stage has run with it (its receipts hold it) a random suffix,
    // so Nx cannot answer from an entry it cached for this value before.
    const pending = /^TOKEN_A ([0-9a-f]{64}) not in its receipt yet, run [0-9a-f]{16}$/;
    const rotated = await digests(fx, 'bootstrap', { TOKEN_A: A2, TOKEN_B: B });
    expect(rotated).toEqual([expect.stringMatching(pending), first[1]]);
    expect(rotated[0]).not.toContain(first[0]!.split(' ')[1]);
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A2, TOKEN_B: B })).not.toEqual(rotated);
    expect(rotated.join('\n')).not.toContain(A2);
    expect(rotated.join('\n')).not.toContain(sha256(A2));
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A2 })).toEqual([expect.stringMatching(pending), 'TOKEN_B unknown: no value here']);

    expect((await fx.run({ env: env(fx, { TOKEN_A: A2, TOKEN_B: B }) })).result.exitCode).toBe(0);
    const applied = await digests(fx, 'bootstrap', { TOKEN_A: A2, TOKEN_B: B });
    expect(applied).toEqual([`TOKEN_A ${pending.exec(rotated[0]!)![1]}`, first[1]]);
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A2, TOKEN_B: B })).toEqual(applied);
    // Back to the first value: pending again, not the lines Nx hashed for it the first time.
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B })).toEqual([expect.stringMatching(pending), first[1]]);
  });

  it('reads a value the environment does not set from the ztc init secrets file, as bootstrap does', async () => {
    const fx = fixtureWorkspace([VAULT]);
    expect((await fx.run({ env: env(fx, { TOKEN_A: A1, TOKEN_B: B }) })).result.exitCode).toBe(0);
    const exported = await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B });
    const file = join(fx.tmpRoot, 'secrets', `${PLATFORM}.env`);
    updateEnvFile(file, new Map([['TOKEN_B', B]]));
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, ZTC_SECRETS_FILE: file })).toEqual(exported);
    // The environment wins over the file.
    expect((await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: 'other', ZTC_SECRETS_FILE: file }))[1]).not.toEqual(exported[1]);
  });

  it('never fails the hash: a broken key, a missing pipeline.yaml give stable markers and exit 0', async () => {
    const fx = fixtureWorkspace([VAULT]);
    expect((await fx.run({ env: env(fx, { TOKEN_A: A1, TOKEN_B: B }) })).result.exitCode).toBe(0);
    writeFileSync(join(fx.privateDir, RECEIPT_KEY_FILE), 'short');
    const broken = ['TOKEN_A unknown: the digest key, private dir or secrets file cannot be read', 'TOKEN_B unknown: the digest key, private dir or secrets file cannot be read'];
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B })).toEqual(broken);
    rmSync(fx.ws.path(`platforms/${PLATFORM}/pipeline.yaml`));
    expect(await digests(fx, 'bootstrap', { TOKEN_A: A1, TOKEN_B: B })).toEqual(['pipeline.yaml unknown']);
    expect(readFileSync(join(fx.privateDir, RECEIPT_KEY_FILE), 'utf8')).toBe('short'); // read, never written
  });

  it('refuses --stage without --secret-digests, an unknown stage and --json (usage, exit 64)', async () => {
    const fx = fixtureWorkspace([VAULT]);
    const plan = (...args: string[]) => runCli(['plan', PLATFORM, ...args], fx.root, env(fx));
    const alone = await plan('--stage', 'bootstrap');
    expect([alone.code, alone.stderr]).toEqual([64, expect.stringContaining('--stage goes with --secret-digests')]);
    const unknown = await plan('--secret-digests', '--stage', 'boot');
    expect([unknown.code, unknown.stderr]).toEqual([64, expect.stringContaining('unknown stage "boot" (expected one of pre-work, bootstrap, post-work, validation)')]);
    expect((await plan('--secret-digests', '--json')).code).toBe(64);
  });
});
