/**
 * The GitHub workflow's promises, checked on the file itself: actions pinned to commit SHAs, the suite
 * on a Node matrix, and the remote-cache token logic (run with a stub curl): read-write only on pushes
 * to the default branch, read-only at most for every pull request.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; strategy?: { matrix: { node: string[] } } }>;
}

const FILE = join(__dirname, '..', '.github', 'workflows', 'ci.yml');
const text = readFileSync(FILE, 'utf8');
const workflow = parse(text) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

describe('.github/workflows/ci.yml', () => {
  it('pins every third-party action to a commit SHA, the release named in a comment', () => {
    const uses = text.split('\n').filter((l) => /^\s*-?\s*uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    for (const step of steps.filter((s) => s.uses?.startsWith('actions/checkout'))) expect(step.with?.['persist-credentials']).toBe(false);
  });

  it('runs the whole suite on Node 22 and 24 (and 20.19, still supported)', () => {
    expect(workflow.jobs.test!.strategy!.matrix.node).toEqual(['20.19', '22', '24']);
    expect(workflow.jobs.test!.steps.map((s) => s.run)).toContain('npm test');
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
  });

  describe('remote cache token', () => {
    const probe = steps.find((s) => s.name?.startsWith('Remote cache'))!;
    const dir = mkdtempSync(join(tmpdir(), 'ztc-ci-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'curl'), '#!/bin/sh\nprintf 404\n');
    chmodSync(join(dir, 'curl'), 0o755);

    function run(env: Record<string, string>): { out: string; githubEnv: string } {
      const githubEnv = join(dir, `env-${Math.random().toString(36).slice(2)}`);
      writeFileSync(githubEnv, '');
      const r = spawnSync('bash', ['-e', '-c', probe.run!], {
        encoding: 'utf8',
        env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_ENV: githubEnv, URL: 'https://cache.example', PUBLIC_READ_TOKEN: '', RW_TOKEN: 'rw-secret', RO_TOKEN: '', ...env },
      });
      expect(r.status, r.stderr).toBe(0);
      return { out: r.stdout, githubEnv: readFileSync(githubEnv, 'utf8') };
    }

    it('is read-write only for a push to the default branch', () => {
      expect(probe.env!.WRITE).toBe("${{ github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}");
      expect(text.match(/secrets\.ZTC_CACHE_TOKEN/g)).toHaveLength(1);
      const push = run({ WRITE: 'true' });
      expect(push.out).toContain('remote cache enabled (read-write)');
      expect(push.githubEnv).toContain('NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=rw-secret');
    });

    it('gives a pull request the read-only token at most, even with the write secret present', () => {
      const pr = run({ WRITE: 'false', RO_TOKEN: 'ro-secret' });
      expect(pr.out).toContain('remote cache enabled (read-only)');
      expect(pr.githubEnv).toContain('NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=ro-secret');
      expect(pr.githubEnv).not.toContain('rw-secret');
      const fork = run({ WRITE: 'false', RW_TOKEN: '', PUBLIC_READ_TOKEN: 'public-ro' });
      expect(fork.githubEnv).toContain('NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=public-ro');
      const none = run({ WRITE: 'false' });
      expect(none.out).toContain('local cache only');
      expect(none.githubEnv).toBe('');
    });
  });
});
