/**
 * The simulated datacenter's front door, on loopback: the Hetzner Cloud API under /v1, S3 under /s3,
 * the GitHub API under /github, and /sim/exec,
 * where the stub executables (stubs/forward) send each call of talosctl, kubectl, helm, ssh and the
 * rescue system's tools. Every call is recorded in the world's call log.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleGithub } from './world/github';
import { apiNode, handleApi } from './world/hcloud';
import { handleS3 } from './world/s3';
import type { ExecRequest, ExecResult, SimTool } from './world/exec';
import { helm } from './world/helm';
import { kubectl } from './world/kubectl';
import { containerTool } from './world/container';
import { rescueTool, ssh } from './world/rescue';
import { sops } from './world/sops';
import { talosctl, talosNode } from './world/talosctl';
import type { World } from './world/world';

/** The CLIs a simulated run replaces with the forwarding stub, and the module of each. */
export const TOOLS: Record<string, SimTool> = { talosctl, kubectl, helm, ssh, sops };

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function nodeOf(req: ExecRequest): string | undefined {
  if (req.host) return req.host;
  if (req.container) return undefined;
  if (req.tool === 'talosctl') return talosNode(req.argv);
  if (req.tool === 'ssh') return req.argv.find((a) => /^([^@\s]+@)?\d+\.\d+\.\d+\.\d+$/.test(a))?.replace(/^.*@/, '');
  return undefined;
}

async function exec(world: World, req: ExecRequest): Promise<ExecResult> {
  const where = req.host ? '@rescue' : req.container ? `@${req.container.split('/').slice(1, 2).join('')}` : '';
  const call = world.record({ tool: `${req.tool}${where}`, argv: req.argv, step: req.step || undefined, node: nodeOf(req) });
  const tool = req.host ? rescueTool : req.container ? containerTool : TOOLS[req.tool];
  const result = tool ? await tool(world, req) : { code: 127, stderr: `${req.tool}: not simulated\n` };
  call.code = result.code;
  return result;
}

/** Stub answer: code, stdout, stderr (base64), then where and what to run for ssh / kubectl exec. */
function encode(r: ExecResult): string {
  const b = (x: string | Buffer | undefined) => Buffer.from(x ?? '').toString('base64');
  return [String(r.code), b(r.stdout), b(r.stderr), r.run ? `${r.run.kind}:${r.run.target}` : '', b(r.run?.command)].join('\n') + '\n';
}

export interface SimServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(world: World): Promise<SimServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      if (req.method === 'POST' && req.url === '/sim/exec') {
        const r = JSON.parse(raw.toString()) as Omit<ExecRequest, 'stdin'> & { stdin?: string };
        const result = await exec(world, { ...r, stdin: r.stdin ? Buffer.from(r.stdin, 'base64') : undefined });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(encode(result));
        return;
      }
      const step = /\(([^)]+)\)/.exec(String(req.headers['user-agent'] ?? ''))?.[1];
      if (req.url?.startsWith('/s3/')) {
        const call = world.record({ tool: 's3-api', argv: [req.method ?? 'GET', req.url.slice(3)], step });
        const answer = handleS3(world, { method: req.method ?? 'GET', url: req.url, headers: req.headers, body: raw });
        call.code = answer.status;
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      if (req.url?.startsWith('/github/')) {
        const call = world.record({ tool: 'github-api', argv: [req.method ?? 'GET', req.url.slice(7)], step });
        const answer = handleGithub(world, req.method ?? 'GET', req.url, req.headers);
        call.code = answer.status;
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
        return;
      }
      if (req.url?.startsWith('/v1/')) {
        const url = req.url.slice(3);
        const call = world.record({ tool: 'hcloud-api', argv: [req.method ?? 'GET', `/v1${url}`], step, node: apiNode(world, url) });
        if (world.faults.apiDelayMs) await new Promise((r) => setTimeout(r, world.faults.apiDelayMs));
        const answer = handleApi(world, {
          method: req.method ?? 'GET',
          url,
          headers: req.headers,
          body: raw.length ? (JSON.parse(raw.toString()) as Record<string, unknown>) : undefined,
        });
        call.code = answer.status;
        res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        res.end(answer.body ? JSON.stringify(answer.body) : undefined);
        return;
      }
      res.writeHead(404).end();
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`1\n\n${Buffer.from(`sim: ${(e as Error).stack ?? String(e)}\n`).toString('base64')}\n\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
