import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { render } from './render';

describe('hetzner render', () => {
  it('publishes the server inventory as cloud-infrastructure and writes it to generated/hetzner/', () => {
    const out = render({ version: 'v1.0.0', server_ips: ['203.0.113.10', '203.0.113.11'], location: 'nbg1', rescue_mode_confirm: false }, { name: 'p' }, {}, { template: () => '' });
    const inventory = {
      provider: 'hetzner',
      location: 'nbg1',
      rescue_mode: false,
      servers: [
        { ip: '203.0.113.10', name: 'srv-203-0-113-10' },
        { ip: '203.0.113.11', name: 'srv-203-0-113-11' },
      ],
    };
    expect(out.capabilities).toEqual({ 'cloud-infrastructure': inventory });
    expect(parse(out.files['hetzner/inventory.yaml']!)).toEqual(inventory);
  });
});
