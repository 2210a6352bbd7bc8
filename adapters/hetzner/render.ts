/**
 * hetzner: renders the server inventory and publishes it as `cloud-infrastructure`. Pure: server ids
 * are not looked up here (the older engine called the Hetzner API during render); scripts that need
 * them resolve them at bootstrap with the token from the environment.
 */
import { stringify } from 'yaml';
import { defineRender } from '@ztc/engine';

export interface HetznerConfig {
  version: string;
  server_ips: string[];
  location: string;
  rescue_mode_confirm: boolean;
}

export const render = defineRender<HetznerConfig>((config) => {
  const servers = config.server_ips.map((ip) => ({ ip, name: `srv-${ip.replace(/\./g, '-')}` }));
  const inventory = {
    provider: 'hetzner',
    location: config.location,
    rescue_mode: config.rescue_mode_confirm,
    servers,
  };
  return {
    files: { 'hetzner/inventory.yaml': stringify(inventory) },
    capabilities: { 'cloud-infrastructure': inventory },
  };
});
