/**
 * The GitHub REST API for a GitHub App, under /github: installation access tokens in exchange for an App
 * JWT whose RS256 signature is verified with the App's public key (and whose iss and expiry are checked),
 * and repositories visible to the installation's tokens. The App's key pair is made by the world; the run
 * gets its private key as GITHUB_APP_PRIVATE_KEY.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { Doc, World } from './world';
import { randomToken } from './world';

export interface GithubState {
  appId: string;
  installationId: string;
  /** owner/name of the repositories the installation can see. */
  repositories: string[];
  privateKeyPem: string;
  publicKey: KeyObject;
  /** Installation tokens issued. */
  tokens: Set<string>;
}

export function makeGithubApp(appId: string, installationId: string, repositories: string[]): GithubState {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    appId,
    installationId,
    repositories,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
    tokens: new Set(),
  };
}

export interface GithubResponse {
  status: number;
  body: Doc;
}

const b64url = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

/** Is this a JWT of the App, signed with its key and valid now? The reason it is not, else undefined. */
export function checkAppJwt(gh: GithubState, jwt: string): string | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'A JSON web token could not be decoded';
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Doc;
  try {
    if ((JSON.parse(b64url(header).toString()) as Doc).alg !== 'RS256') return "'alg' must be RS256";
    claims = JSON.parse(b64url(payload).toString()) as Doc;
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (!verify('sha256', Buffer.from(`${header}.${payload}`), gh.publicKey, b64url(signature))) return 'A JSON web token could not be decoded';
  const now = Math.floor(Date.now() / 1000);
  if (String(claims.iss) !== gh.appId) return `'Issuer' claim ('iss') must be an Integer`;
  if (typeof claims.exp !== 'number' || claims.exp < now || claims.exp - now > 600) return "'Expiration time' claim ('exp') is too far in the future";
  if (typeof claims.iat !== 'number' || claims.iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
  return undefined;
}

export function handleGithub(world: World, method: string, url: string, headers: Record<string, string | string[] | undefined>): GithubResponse {
  const gh = world.github;
  const auth = String(headers.authorization ?? '').replace(/^(Bearer|token) /, '');
  const path = url.split('?')[0]!.replace(/^\/github/, '');
  const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
  if (method === 'POST' && tokenPath) {
    const why = checkAppJwt(gh, auth);
    if (why) return { status: 401, body: { message: why, documentation_url: 'https://docs.github.com/rest' } };
    if (tokenPath[1] !== gh.installationId)
      return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app' } };
    // Since 2026 installation tokens may be longer than 40 characters: scripts must not assume a length.
    const token = `ghs_${randomToken(52)}`;
    gh.tokens.add(token);
    world.credentials.add(token);
    return {
      status: 201,
      body: { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: 'read', metadata: 'read' }, repository_selection: 'selected' },
    };
  }
  const repo = /^\/repos\/([^/]+\/[^/]+)$/.exec(path);
  if (method === 'GET' && repo) {
    if (!gh.tokens.has(auth)) return { status: 401, body: { message: 'Bad credentials' } };
    if (!gh.repositories.includes(repo[1]!)) return { status: 404, body: { message: 'Not Found' } };
    return { status: 200, body: { full_name: repo[1], private: true, default_branch: 'main' } };
  }
  return { status: 404, body: { message: 'Not Found' } };
}
