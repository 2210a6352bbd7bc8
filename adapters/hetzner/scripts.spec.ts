/**
 * The hetzner scripts' reading of the Hetzner Cloud API's answers, with a stand-in curl and ssh: each
 * failure status ends the step with the ERROR that says what to do (ztc::http_fail), never a bare status.
 * The whole flow against a faithful API is the simulation's (tools/sim).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdapterScript } from '@ztc/engine/testing';

const servers = { servers: [{ id: 1, name: 'ztc-1', status: 'running', public_net: { ipv4: { ip: '203.0.113.10' } } }], meta: { pagination: { next_page: null } } };

/** ztc::api's curl: the answer to `METHOD URL` from a table of `METHOD path-prefix` → [status, body]. */
function curl(answers: Record<string, [number, unknown]>): string {
  const cases = Object.entries(answers)
    .map(([key, [status, body]]) => `  "${key}"*) printf 'HTTP/1.1 ${status} X\\r\\n\\r\\n%s\\n${status}' '${JSON.stringify(body)}' ;;`)
    .join('\n');
  return `method=GET prev=''
for a in "$@"; do [[ $prev == -X ]] && method=$a; prev=$a; done
url=\${*: -1}
case "$method \${url#*/v1}" in
${cases}
  *) printf 'HTTP/1.1 500 X\\r\\n\\r\\n{}\\n500' ;;
esac`;
}

describe('hetzner/rescue', () => {
  it('409 on registering the rescue key: the ERROR says what to remove, the line above has the API message', async () => {
    const r = await runAdapterScript({
      script: join(__dirname, 'scripts', 'pre-work', 'rescue.sh'),
      context: { server_ips: ['203.0.113.10'], rescue_mode_confirm: true, ssh_key_file: 'hetzner/rescue_ed25519', ssh_key_name: 'ztc-demo' },
      env: { HCLOUD_TOKEN: 'token-value', HCLOUD_ENDPOINT: 'https://api.hetzner.example.test/v1' },
      tools: {
        curl: curl({
          'GET /servers?': [200, servers],
          'GET /ssh_keys?': [200, { ssh_keys: [] }],
          'POST /ssh_keys': [409, { error: { code: 'uniqueness_error', message: 'SSH key with the same fingerprint already exists' } }],
        }),
        // A stock OS: sshd answers and refuses the platform's key.
        ssh: 'echo "root@203.0.113.10: Permission denied (publickey)." >&2; exit 255',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('POST https://api.hetzner.example.test/v1/ssh_keys: HTTP 409 (SSH key with the same fingerprint already exists)\n');
    expect(r.stderr).toContain(
      'ERROR: the Hetzner Cloud API refused POST /ssh_keys (409 conflict, see the line above): the project already holds this resource under another name (e.g. this SSH key after the platform was renamed); remove or rename it in the Hetzner Cloud Console, then run ztc bootstrap again\n',
    );
    expect(r.stderr.match(/^ERROR:/gm)).toHaveLength(1);
    expect(r.calls.filter((c) => c.startsWith('curl ')).length).toBe(3);
  });
});

describe('hetzner/remove-rescue-key (ztc destroy)', () => {
  const removeKey = (answers: Record<string, [number, unknown]>) =>
    runAdapterScript({
      script: join(__dirname, 'scripts', 'teardown', 'remove-rescue-key.sh'),
      context: { ssh_key_name: 'ztc-demo-rescue' },
      env: { HCLOUD_TOKEN: 'token-value', HCLOUD_ENDPOINT: 'https://api.hetzner.example.test/v1' },
      tools: { curl: curl(answers) },
    });
  const requests = (calls: string[]) =>
    calls
      .filter((c) => c.startsWith('curl '))
      .map(
        (c) =>
          `${c.match(/-X (\w+)/)![1]} ${c
            .split(' ')
            .at(-1)!
            .replace(/^.*\/v1/, '')}`,
      );

  it("deletes the platform's rescue key from the project, found by name; no server is touched", async () => {
    const r = await removeKey({
      'GET /ssh_keys?name=ztc-demo-rescue': [200, { ssh_keys: [{ id: 42, name: 'ztc-demo-rescue' }] }],
      'DELETE /ssh_keys/42': [204, {}],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requests(r.calls)).toEqual(['GET /ssh_keys?name=ztc-demo-rescue', 'DELETE /ssh_keys/42']);
    expect(r.stdout).toContain('removed the rescue SSH key ztc-demo-rescue (id 42) from the Hetzner Cloud project; servers are kept');
  });

  it('a key that is gone already: nothing to delete, not an error', async () => {
    const r = await removeKey({ 'GET /ssh_keys?name=ztc-demo-rescue': [200, { ssh_keys: [] }] });
    expect(r.code).toBe(0);
    expect(requests(r.calls)).toEqual(['GET /ssh_keys?name=ztc-demo-rescue']);
    expect(r.stdout).toContain('the Hetzner Cloud project has no SSH key ztc-demo-rescue: nothing to remove');
  });
});
