import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { render } from './render';

describe('hetzner render', () => {
  it('publishes the server inventory as cloud-infrastructure and writes it to generated/hetzner/', () => {
    const out = render(
      { version: 'v1.0.0', server_ips: ['203.0.113.10', '203.0.113.11'], location: 'nbg1', rescue_mode_confirm: false },
      { name: 'p' },
      {},
      { template: () => '' },
    );
    const inventory = {
      provider: 'hetzner',
      platform: 'hcloud',
      location: 'nbg1',
      rescue_mode: false,
      rescue: { user: 'root', private_key_file: 'hetzner/rescue_ed25519' },
      servers: [
        { ip: '203.0.113.10', name: 'srv-203-0-113-10' },
        { ip: '203.0.113.11', name: 'srv-203-0-113-11' },
      ],
    };
    expect(out.capabilities).toEqual({ 'cloud-infrastructure': inventory });
    expect(parse(out.files['hetzner/inventory.yaml']!)).toEqual(inventory);
  });

  it('names the rescue SSH key after the platform, so platforms sharing a project keep their own key', () => {
    const config = { version: 'v1.0.0', server_ips: ['203.0.113.10'], location: 'fsn1', rescue_mode_confirm: true };
    const ctx = (platform: { name: string; organization?: string; app_name?: string }) => render(config, platform, {}, { template: () => '' }).scriptContext?.rescue;
    expect(ctx({ name: 'prod', organization: 'acme', app_name: 'shop' })).toEqual({ ssh_key_name: 'ztc-acme-shop-prod-rescue' });
    expect(ctx({ name: 'prod' })).toEqual({ ssh_key_name: 'ztc-prod-rescue' });
  });
});
