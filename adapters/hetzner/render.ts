/**
 * hetzner: renders the server inventory and publishes it as `cloud-infrastructure`, with how an OS
 * installer reaches the servers once pre-work has booted them into the rescue system. Pure: server ids
 * are not looked up here (the older engine called the Hetzner API during render); the pre-work step
 * resolves them at bootstrap with the token from the environment.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface HetznerConfig {
  version: string;
  server_ips: string[];
  location: string;
  rescue_mode_confirm: boolean;
}

/** Where pre-work keeps the rescue SSH key, relative to ZTC_PRIVATE_DIR. */
export const RESCUE_KEY_FILE = 'hetzner/rescue_ed25519';

export const render = defineRender<HetznerConfig>((config, platform) => {
  const servers = config.server_ips.map((ip) => ({ ip, name: `srv-${ip.replace(/\./g, '-')}` }));
  const inventory = {
    provider: 'hetzner',
    platform: 'hcloud',
    location: config.location,
    rescue_mode: config.rescue_mode_confirm,
    rescue: { user: 'root', private_key_file: RESCUE_KEY_FILE },
    servers,
  };
  // Unique per platform within a Hetzner project, so two platforms never replace each other's key.
  const keyName = ['ztc', platform.organization, platform.app_name, platform.name, 'rescue'].filter(Boolean).join('-');
  return {
    files: { 'hetzner/inventory.yaml': stringify(inventory) },
    capabilities: { 'cloud-infrastructure': inventory },
    scriptContext: { rescue: { ssh_key_name: keyName }, 'remove-rescue-key': { ssh_key_name: keyName } },
  };
});
