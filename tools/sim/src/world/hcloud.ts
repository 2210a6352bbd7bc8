/**
 * The Hetzner Cloud API, as much of it as the hetzner adapter uses: servers (paginated), server actions
 * (enable_rescue, reset, poweron) with running → success transitions, ssh_keys, actions; bearer-token
 * auth; the API's error format; and injected faults (401 via a wrong token, 5xx/429 a number of times,
 * slow answers).
 */
import type { Doc, Machine, World } from './world';

export interface ApiRequest {
  method: string;
  /** Path and query below the API base, e.g. `/servers?page=1`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Doc;
}

export interface ApiResponse {
  status: number;
  body?: Doc;
  headers?: Record<string, string>;
}

const error = (status: number, code: string, message: string): ApiResponse => ({ status, body: { error: { code, message, details: {} } } });

function serverJson(world: World, m: Machine): Doc {
  const running = world.running(m);
  return {
    id: m.id,
    name: m.name,
    status: m.power === 'off' ? 'off' : running === 'down' ? 'starting' : 'running',
    public_net: { ipv4: { ip: m.ip, blocked: false, dns_ptr: `static.${m.ip.split('.').reverse().join('.')}.clients.your-server.de` }, ipv6: null },
    rescue_enabled: m.rescueEnabled,
    server_type: { name: 'cx32', cores: 4, memory: 8, disk: 80 },
    datacenter: { name: 'fsn1-dc14', location: { name: 'fsn1' } },
    labels: {},
  };
}

function actionJson(world: World, id: number): Doc | undefined {
  const a = world.actions.get(id);
  if (!a) return undefined;
  const status = world.now() >= a.doneAt ? a.status : 'running';
  return {
    id: a.id,
    command: a.command,
    status,
    progress: status === 'running' ? 50 : 100,
    started: new Date(world.started).toISOString(),
    finished: status === 'running' ? null : new Date(a.doneAt).toISOString(),
    resources: [{ id: a.server, type: 'server' }],
    error: null,
  };
}

function startAction(world: World, m: Machine, command: string): Doc {
  const id = world.id();
  world.actions.set(id, { id, command, server: m.id, doneAt: world.now() + world.timing.actionMs, status: 'success' });
  return actionJson(world, id)!;
}

/** The server an API path is about, for the call log. */
export function apiNode(world: World, url: string): string | undefined {
  const id = /\/servers\/(\d+)/.exec(url)?.[1];
  return id ? world.machines.find((m) => m.id === Number(id))?.ip : undefined;
}

export function handleApi(world: World, req: ApiRequest): ApiResponse {
  const auth = String(req.headers.authorization ?? '');
  if (auth !== `Bearer ${world.hcloudToken}`) return error(401, 'unauthorized', 'unable to authenticate');
  for (const fault of world.faults.apiErrors ?? []) {
    if (fault.times > 0 && (!fault.match || req.url.includes(fault.match))) {
      fault.times--;
      const res =
        fault.status === 429 ? error(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached') : error(fault.status, 'server_error', 'internal server error');
      return { ...res, headers: fault.retryAfter ? { 'Retry-After': String(fault.retryAfter) } : { 'RateLimit-Limit': '3600', 'RateLimit-Remaining': '0' } };
    }
  }
  const url = new URL(req.url, 'http://api');
  const parts = url.pathname.split('/').filter(Boolean);
  const server = parts[0] === 'servers' && parts[1] ? world.machines.find((m) => m.id === Number(parts[1])) : undefined;
  if (parts[0] === 'servers' && parts[1] && !server) return error(404, 'not_found', `server with ID '${parts[1]}' not found`);

  if (req.method === 'GET' && url.pathname === '/servers') {
    const perPage = Number(url.searchParams.get('per_page') ?? 25);
    const page = Number(url.searchParams.get('page') ?? 1);
    const all = world.machines.map((m) => serverJson(world, m));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    return {
      status: 200,
      body: {
        servers: all.slice((page - 1) * perPage, page * perPage),
        meta: {
          pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < last ? page + 1 : null, last_page: last, total_entries: all.length },
        },
      },
    };
  }
  if (req.method === 'GET' && server && parts.length === 2) return { status: 200, body: { server: serverJson(world, server) } };
  if (req.method === 'POST' && server && parts[2] === 'actions') {
    const command = parts[3];
    if (command === 'enable_rescue') {
      const keys = (req.body?.ssh_keys ?? []) as number[];
      const known = keys.map((id) => world.sshKeys.find((k) => k.id === id));
      if (known.some((k) => !k)) return error(404, 'not_found', 'ssh key not found');
      if (req.body?.type && req.body.type !== 'linux64') return error(400, 'invalid_input', `invalid rescue type ${String(req.body.type)}`);
      server.rescueEnabled = true;
      server.rescueKeys = known.map((k) => k!.public_key);
      return { status: 201, body: { root_password: world.credential('rescue-root-password'), action: startAction(world, server, 'enable_rescue') } };
    }
    if (command === 'reset' || command === 'poweron') {
      if (command === 'reset' && server.power === 'off') return error(409, 'server_not_running', 'server is off');
      if (command === 'reset') world.reset(server);
      else world.reboot(server);
      return { status: 201, body: { action: startAction(world, server, command === 'reset' ? 'reset_server' : 'start_server') } };
    }
    return error(400, 'invalid_input', `unknown action ${String(command)}`);
  }
  if (req.method === 'GET' && parts[0] === 'actions' && parts[1]) {
    const action = actionJson(world, Number(parts[1]));
    return action ? { status: 200, body: { action } } : error(404, 'not_found', `action with ID '${parts[1]}' not found`);
  }
  if (parts[0] === 'ssh_keys') {
    if (req.method === 'GET' && !parts[1]) {
      const name = url.searchParams.get('name');
      return {
        status: 200,
        body: {
          ssh_keys: world.sshKeys.filter((k) => !name || k.name === name),
          meta: { pagination: { page: 1, per_page: 25, next_page: null, last_page: 1, total_entries: world.sshKeys.length } },
        },
      };
    }
    if (req.method === 'POST' && !parts[1]) {
      const { name, public_key: publicKey, labels } = req.body ?? {};
      if (typeof name !== 'string' || typeof publicKey !== 'string' || !/^ssh-(ed25519|rsa) \S+/.test(publicKey))
        return error(400, 'invalid_input', 'invalid input in fields name, public_key');
      if (world.sshKeys.some((k) => k.name === name || k.public_key.split(' ')[1] === publicKey.split(' ')[1])) {
        return error(409, 'uniqueness_error', 'SSH key with the same name or fingerprint already exists');
      }
      const key = { id: world.id(), name, public_key: publicKey.trim(), fingerprint: `sim:${publicKey.split(' ')[1]!.slice(0, 16)}`, labels: (labels as Doc) ?? {} };
      world.sshKeys.push(key);
      return { status: 201, body: { ssh_key: key } };
    }
    if (req.method === 'DELETE' && parts[1]) {
      const i = world.sshKeys.findIndex((k) => k.id === Number(parts[1]));
      if (i < 0) return error(404, 'not_found', 'ssh key not found');
      world.sshKeys.splice(i, 1);
      return { status: 204 };
    }
  }
  return error(404, 'not_found', `no route ${req.method} ${url.pathname}`);
}
