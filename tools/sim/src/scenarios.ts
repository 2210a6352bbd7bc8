/** Named failure scenarios for `npm run sim -- <platform> --scenario <name>` (tests build their own). */
import type { SimOptions } from './session';

export type Scenario = Pick<SimOptions, 'faults' | 'env'> & { description: string };

/** The platform's servers, for scenarios that pick one. */
export function scenario(name: string, servers: string[]): Scenario | undefined {
  const last = servers[servers.length - 1] ?? '';
  const all: Record<string, Scenario> = {
    'bad-token': { description: 'HCLOUD_TOKEN is not the project\'s token: the pre-flight check stops the run (exit 3)', env: { HCLOUD_TOKEN: 'x'.repeat(64) } },
    'server-missing': { description: `the project has no server ${last}: the pre-flight check names it (exit 3)`, faults: { missingServers: [last] } },
    'api-flaky': { description: 'the Hetzner API answers 500 three times, then recovers: retried, the run goes on', faults: { apiErrors: [{ status: 500, times: 3, match: '/servers' }] } },
    'rate-limited': { description: 'the Hetzner API answers 429 twice: retried with backoff', faults: { apiErrors: [{ status: 429, times: 2 }] } },
    'node-never-returns': { description: `${last} never comes back from its reboot into rescue: the step gives up at its deadline with an ERROR`, faults: { neverBoots: [last] } },
    'ssh-hangs': { description: `ssh to ${last} never returns: the step is stopped at its timeout (exit 124)`, faults: { hangSsh: [last] } },
  };
  return all[name];
}

export const SCENARIO_NAMES = ['bad-token', 'server-missing', 'api-flaky', 'rate-limited', 'node-never-returns', 'ssh-hangs'];
