/**
 * github: publishes git-credentials (GitHub App and installation ids, repository URLs). Nothing is
 * rendered to files: the App's private key stays in the environment, and the repository credentials Argo
 * CD needs are created at bootstrap by the adapter that uses them. Accepts the older engine's field names
 * and forms (ids as numbers or digit strings, URLs with .git or a trailing slash).
 */
import { defineRender } from '@ztc/engine';

export interface GithubConfig {
  github_app_id: number | string;
  github_app_installation_id: number | string;
  control_plane_repo_url: string;
  data_plane_repo_url?: string;
}

/** `https://github.com/acme/repo.git/` → `https://github.com/acme/repo`. */
export function canonicalRepoUrl(url: string): string {
  return url.replace(/\/$/, '').replace(/\.git$/, '');
}

export const render = defineRender<GithubConfig>((config) => {
  const repositories: Record<string, string> = { control_plane: canonicalRepoUrl(config.control_plane_repo_url) };
  if (config.data_plane_repo_url) repositories.data_plane = canonicalRepoUrl(config.data_plane_repo_url);
  const slug = (url: string) => url.replace('https://github.com/', '');
  return {
    files: {},
    capabilities: {
      'git-credentials': {
        provider: 'github-app',
        app_id: String(config.github_app_id),
        installation_id: String(config.github_app_installation_id),
        private_key_env: 'GITHUB_APP_PRIVATE_KEY',
        repositories,
      },
    },
    scriptContext: {
      'check-health': {
        app_id: String(config.github_app_id),
        installation_id: String(config.github_app_installation_id),
        repositories: Object.values(repositories).map(slug),
      },
    },
  };
});
