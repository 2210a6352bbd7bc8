/**
 * The real wizard in a real terminal: the `ztc` bin in a pseudo-terminal (testing/pty.ts), answers
 * typed key by key, a pattern error and its re-prompt on screen, the secret typed into hidden input
 * (only `*` echoed), and afterwards the canary secret in no file of the workspace.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANARY, EXPECTED_YAML, initWorkspace } from '../../testing/init-workspace';
import { KEY, ptySpawn } from '../../testing/pty';
import { minimalEnv, ZTC_BIN } from '../../testing/run-bin';
import { listFiles } from '../util/list-files';

describe('ztc init in a terminal', () => {
  it('asks, re-prompts a pattern error, hides the secret, writes platform.yaml and keeps the secret out of the workspace', async () => {
    const ws = initWorkspace();
    const t = ptySpawn([process.execPath, ZTC_BIN, 'init', 'prod', '--skip-init-scripts'], {
      cwd: ws.root,
      env: minimalEnv({ TERM: 'xterm-256color', ...ws.env }),
    });
    const answer = async (prompt: string, keys: string): Promise<string> => {
      const seen = await t.expect(prompt);
      t.type(keys);
      return seen;
    };
    await answer('Organization', `acme${KEY.enter}`);
    await answer('Application name', `${KEY.backspace.repeat(4)}acme-prod${KEY.enter}`);
    for (const p of ['Cilium version', 'Enable the BGP control plane', 'Enable Hubble', 'Hetzner adapter version']) await answer(p, KEY.enter);
    await answer('Public IPv4 addresses', `203.0.113.10, 203.0.113.11${KEY.enter}`);
    await answer('Hetzner location', KEY.enter);
    await answer('rescue mode', KEY.enter);
    await answer('Hetzner Cloud API token', `${CANARY}${KEY.enter}`);
    const hidden = await t.expect('Talos version');
    expect(hidden).not.toContain(CANARY.slice(0, 12));
    expect(hidden).toContain('*'.repeat(16));
    t.type(KEY.enter);
    for (const p of ['Kubernetes version', 'Image Factory schematic']) await answer(p, KEY.enter);
    await answer('Cluster name', `Prod${KEY.enter}`);
    await t.expect('must match pattern ^[a-z0-9][a-z0-9-]*$, got string "Prod"');
    t.type(`${KEY.backspace.repeat(4)}prod${KEY.enter}`);
    await answer('Control-plane endpoint', KEY.enter);
    await answer('CPU architecture', KEY.enter);
    await answer('Install disk', KEY.enter);
    await answer('use these?', KEY.enter);
    const diff = await t.expect('Write platforms/prod/platform.yaml?');
    expect(diff).toContain('+      - { name: cp-1, ip: 203.0.113.10, role: controlplane }');
    t.type(KEY.enter);
    await t.expect('Next: npx ztc render prod');
    expect(await t.exit()).toBe(0);

    expect(ws.read('platforms/prod/platform.yaml')).toBe(EXPECTED_YAML);
    expect(t.output()).not.toContain(CANARY.slice(0, 12));
    expect(readFileSync(ws.secretsFile, 'utf8')).toContain(`HCLOUD_TOKEN=${CANARY}\n`);
    expect(statSync(ws.secretsFile).mode & 0o777).toBe(0o600);
    for (const f of listFiles(ws.root, { skip: (name) => name === 'node_modules' })) expect(readFileSync(ws.path(f), 'utf8'), f).not.toContain(CANARY.slice(0, 12));
  });

  it('says a range as it is, and "<" or the back choice goes back one question', async () => {
    const ws = initWorkspace();
    const t = ptySpawn([process.execPath, ZTC_BIN, 'init', 'prod', '--skip-init-scripts'], { cwd: ws.root, env: minimalEnv({ TERM: 'xterm', ...ws.env }) });
    await t.expect('Organization');
    t.type(`acme${KEY.enter}`);
    await t.expect('Application name');
    t.type(KEY.enter);
    await t.expect('Cilium version');
    t.type(KEY.enter);
    await t.expect('< back (previous question)');
    t.type(`${KEY.up}${KEY.enter}`); // Yes: BGP on
    await t.expect('Local BGP autonomous system number (between 1 and 4294967295)');
    t.type(`${KEY.backspace.repeat(5)}0${KEY.enter}`);
    await t.expect('must be between 1 and 4294967295');
    t.type(`${KEY.backspace}<${KEY.enter}`);
    const back = await t.expect('Enable the BGP control plane');
    expect(back).not.toContain('Infinity');
    t.type(KEY.ctrlC);
    expect(await t.exit()).toBe(130);
  });

  it('Ctrl-C ends the wizard with exit 130 and writes nothing', async () => {
    const ws = initWorkspace();
    const t = ptySpawn([process.execPath, ZTC_BIN, 'init', 'prod'], { cwd: ws.root, env: minimalEnv({ TERM: 'xterm', ...ws.env }) });
    await t.expect('Organization');
    t.type(KEY.ctrlC);
    expect(await t.exit()).toBe(130);
    expect(t.output()).toContain('init interrupted; nothing was written');
    expect(listFiles(ws.root, { skip: (name) => name === 'node_modules' }).filter((f) => f.startsWith('platforms/'))).toEqual([]);
  });
});
