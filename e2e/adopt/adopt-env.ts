/**
 * The environment of a new user's workspace in the adoption specs: the caller's, as `childEnv('adopt')`
 * sanitises it (no Nx, npm, vitest or ZTC variables of this repository's own run), with Nx's daemon,
 * cloud and TUI off and npm quiet and offline-first.
 */
import { childEnv } from '../../tools/ztc/testing/child-env';

export function adoptEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...childEnv('adopt'),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}
