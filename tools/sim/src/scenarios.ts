/** Named failure scenarios for `npm run sim -- <platform> --scenario <name>` (tests build their own). */
import { generateKeyPairSync } from 'node:crypto';
import type { Sim } from './session';

export interface Scenario {
  description: string;
  /** Make the started session misbehave this way. */
  apply(sim: Sim): void;
  /** Kept in the world until repaired: also allowed with --world (the others belong to a throwaway world). */
  persistent?: boolean;
}

const lastServer = (sim: Sim) => sim.world.machines[sim.world.machines.length - 1]?.ip ?? '';

export const SCENARIOS: Record<string, Scenario> = {
  'bad-token': {
    description: "HCLOUD_TOKEN is not the project's token: the pre-flight check stops the run (exit 3)",
    apply: (sim) => void (sim.env.HCLOUD_TOKEN = 'x'.repeat(64)),
  },
  'server-missing': {
    description: 'the project lacks the last server: the pre-flight check names it (exit 3)',
    apply: (sim) => void sim.world.machines.pop(),
  },
  'api-flaky': {
    description: 'the Hetzner API answers 500 three times, then recovers: retried, the run goes on',
    apply: (sim) => void (sim.world.faults.apiErrors = [{ status: 500, times: 3, match: '/servers' }]),
  },
  'rate-limited': {
    description: 'the Hetzner API answers 429 twice: retried with backoff',
    apply: (sim) => void (sim.world.faults.apiErrors = [{ status: 429, times: 2 }]),
  },
  'node-never-returns': {
    description: 'the last server never comes back from its reboot into rescue: the step gives up at its deadline with an ERROR',
    apply: (sim) => void (sim.world.faults.neverBoots = [lastServer(sim)]),
  },
  'ssh-hangs': {
    description: 'ssh to the last server never returns: the step is stopped at its timeout (exit 124)',
    apply: (sim) => void (sim.world.faults.hangSsh = [lastServer(sim)]),
  },
  'bucket-missing': {
    description: 'the bucket for the Age key backup does not exist: the pre-flight check names it (exit 3)',
    apply: (sim) => sim.world.s3.buckets.clear(),
  },
  'upgrade-stuck': {
    description: 'the last server does not come back from its next talosctl upgrade (it stays down) until npm run sim -- --world <dir> --repair <ip>',
    apply: (sim) => void (sim.world.faults.stuckUpgrade = [...new Set([...(sim.world.faults.stuckUpgrade ?? []), lastServer(sim)])]),
    persistent: true,
  },
  'github-key-wrong': {
    description: "GITHUB_APP_PRIVATE_KEY is not the App's key: the pre-flight check says so (exit 3)",
    apply: (sim) => void (sim.env.GITHUB_APP_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);
