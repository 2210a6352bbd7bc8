import { describe, expect, it } from 'vitest';
import { canonicalRepoUrl, render } from './render';

describe('github render', () => {
  it('publishes git-credentials with ids as strings and canonical repository URLs, and renders no file', () => {
    const out = render(
      {
        github_app_id: 123,
        github_app_installation_id: '456',
        control_plane_repo_url: 'https://github.com/acme/platform.git/',
        data_plane_repo_url: 'https://github.com/acme/tenants',
      },
      { name: 'p' },
      {},
      { template: () => '' },
    );
    expect(out.files).toEqual({});
    expect(out.capabilities).toEqual({
      'git-credentials': {
        provider: 'github-app',
        app_id: '123',
        installation_id: '456',
        private_key_env: 'GITHUB_APP_PRIVATE_KEY',
        repositories: { control_plane: 'https://github.com/acme/platform', data_plane: 'https://github.com/acme/tenants' },
      },
    });
    expect(out.scriptContext?.['check-health']).toEqual({ app_id: '123', installation_id: '456', repositories: ['acme/platform', 'acme/tenants'] });
    expect(canonicalRepoUrl('https://github.com/a/b/')).toBe('https://github.com/a/b');
  });
});
