/**
 * The few S3 operations the state backend needs (GET, conditional PUT and DELETE, ListObjectsV2), on a
 * path-style endpoint, signed with SigV4 by aws4fetch. Loaded only when a platform's state backend is s3.
 *
 * Answers S3 gives for a request that cannot succeed (403, a missing bucket, no answer at all) become an
 * error that names the bucket, the endpoint and what to do (exit 3); 5xx and lost connections are retried,
 * and a 5xx that lasts says to run again later (not to fix the configuration).
 * A failed condition (412 PreconditionFailed, 409 ConditionalRequestConflict) is an answer, not an error.
 */
import { createHash } from 'node:crypto';
import type { AwsClient } from 'aws4fetch';
import { ExitCode, ExitError } from '../errors';
import type { S3Credentials, S3StateConfig } from './config';

export interface StoredObject {
  body: Buffer;
  etag: string;
}

export interface ListedObject {
  key: string;
  etag: string;
  size: number;
}

export type PutResult = { ok: true; etag: string } | { ok: false; status: number };

export interface WriteCondition {
  /** `If-None-Match: *`: only if the key does not exist. */
  ifNoneMatch?: true;
  /** `If-Match: <etag>`: only if the object is still this one. */
  ifMatch?: string;
}

/** Characters of a key encoded the way SigV4 canonicalises them (RFC 3986), `/` kept. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

const encodeQuery = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const unquoteEtag = (etag: string | null | undefined): string => (etag ?? '').replace(/&quot;/g, '"').trim();

/** The text of the first `<tag>` in an XML answer (entities decoded). */
function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? decodeXml(m[1]!) : undefined;
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'lt'
      ? '<'
      : e === 'gt'
        ? '>'
        : e === 'quot'
          ? '"'
          : e === 'apos'
            ? "'"
            : e === 'amp'
              ? '&'
              : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
}

export const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

/** The ETag S3 gives an object written in one PUT without SSE-KMS: its MD5, quoted. */
export const plainEtag = (data: Uint8Array): string => `"${md5Hex(data)}"`;

export interface S3StoreOptions {
  /** Attempts for a request that got no answer or a 5xx. @default 4 */
  attempts?: number;
  /** Per-request time limit. @default 30000 */
  timeoutMs?: number;
}

export class S3Store {
  private readonly client: AwsClient;
  private readonly base: string;
  readonly where: string;

  constructor(
    private readonly config: S3StateConfig,
    private readonly credentials: S3Credentials,
    private readonly opts: S3StoreOptions = {},
  ) {
    // Required here, not at the top: only a platform whose state backend is s3 loads the S3 client.
    const { AwsClient: Client } = require('aws4fetch') as typeof import('aws4fetch');
    this.client = new Client({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      service: 's3',
      region: config.region,
      retries: 0,
    });
    this.base = `${config.endpoint}/${encodeKey(config.bucket)}`;
    this.where = `s3://${config.bucket} at ${config.endpoint}`;
  }

  /** `s3://bucket/key`, as messages name an object. */
  objectName(key: string): string {
    return `s3://${this.config.bucket}/${key}`;
  }

  /** One request, retried on no answer and 5xx; the answer otherwise, whatever its status. */
  private async request(method: string, key: string, init: { query?: [string, string][]; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const query = init.query?.length ? `?${init.query.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&')}` : '';
    const url = `${this.base}${key ? `/${encodeKey(key)}` : ''}${query}`;
    const body = init.body ?? Buffer.alloc(0);
    const headers = { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), 'user-agent': 'ztc (state backend)', ...init.headers };
    const attempts = this.opts.attempts ?? 4;
    let last: unknown;
    for (let n = 1; n <= attempts; n++) {
      try {
        const res = await this.client.fetch(url, { method, headers, body: init.body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000) });
        if (res.status < 500 || n === attempts) return res;
        last = `HTTP ${res.status}`;
        await res.arrayBuffer();
      } catch (e) {
        last = e;
        if (n === attempts) break;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** (n - 1)));
    }
    const why = last instanceof Error ? ((last.cause as Error | undefined)?.message ?? last.message) : String(last);
    throw new ExitError(
      `the state backend ${this.where} did not answer ${method} ${key || '(bucket)'} (${why}, ${attempts} attempts): check state.endpoint in ${this.config.file} and this machine's network, then run again`,
      ExitCode.invalid,
      {
        code: 'state_backend_unreachable',
      },
    );
  }

  /** The error for an answer that means the request cannot succeed as configured. */
  private async refused(res: Response, what: string): Promise<ExitError> {
    const text = await res.text();
    const code = xmlText(text, 'Code') ?? `HTTP ${res.status}`;
    const attempts = this.opts.attempts ?? 4;
    if (res.status >= 500) {
      // Retried already (request): the storage, not the configuration, failed.
      return new ExitError(
        `the state backend ${this.where} refused ${what} (${res.status} ${code}): the object storage failed (${attempts} attempt${attempts === 1 ? '' : 's'}); run again later, and check its status page if it persists`,
        ExitCode.invalid,
        { code: 'state_backend_unreachable' },
      );
    }
    const fix =
      res.status === 403
        ? `${this.credentials.from.access}/${this.credentials.from.secret} may not read and write it: use credentials of this bucket (Hetzner Console > Object Storage > Credentials; on AWS an IAM policy with s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket)`
        : code === 'NoSuchBucket'
          ? `create the bucket (private) or fix state.bucket / state.endpoint in ${this.config.file}`
          : code === 'NotImplemented'
            ? 'this object storage does not support conditional writes (If-None-Match / If-Match), which the run lock needs: use one that does (AWS S3, Hetzner Object Storage, MinIO, Ceph RGW)'
            : `check state.endpoint and state.region in ${this.config.file}`;
    return new ExitError(`the state backend ${this.where} refused ${what} (${res.status} ${code}): ${fix}`, ExitCode.invalid, { code: 'state_backend_refused' });
  }

  /** The object, or undefined when there is none. */
  async get(key: string): Promise<StoredObject | undefined> {
    const res = await this.request('GET', key);
    if (res.status === 404) {
      const text = await res.text();
      if (xmlText(text, 'Code') === 'NoSuchBucket') throw await this.refused(new Response(text, { status: 404 }), `GET ${key}`);
      return undefined;
    }
    if (res.status !== 200) throw await this.refused(res, `GET ${key}`);
    const body = Buffer.from(await res.arrayBuffer());
    return { body, etag: unquoteEtag(res.headers.get('etag')) || plainEtag(body) };
  }

  /** Write the object, under `cond` if given: `{ ok: false, status }` when the condition failed (412, 409). */
  async put(key: string, body: Buffer, cond: WriteCondition = {}): Promise<PutResult> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (cond.ifNoneMatch) headers['if-none-match'] = '*';
    if (cond.ifMatch) headers['if-match'] = cond.ifMatch;
    const res = await this.request('PUT', key, { headers, body });
    if (res.status === 412 || res.status === 409 || (res.status === 404 && cond.ifMatch)) {
      await res.arrayBuffer();
      return { ok: false, status: res.status };
    }
    if (res.status !== 200) throw await this.refused(res, `PUT ${key}`);
    await res.arrayBuffer();
    return { ok: true, etag: unquoteEtag(res.headers.get('etag')) || plainEtag(body) };
  }

  /** Remove the object (under `If-Match` if given): false when the condition failed. A missing object counts as removed. */
  async delete(key: string, cond: { ifMatch?: string } = {}): Promise<boolean> {
    const res = await this.request('DELETE', key, { headers: cond.ifMatch ? { 'if-match': cond.ifMatch } : {} });
    await res.arrayBuffer();
    if (res.status === 412 || res.status === 409) return false;
    if (res.status === 204 || res.status === 200 || res.status === 404) return true;
    throw await this.refused(res, `DELETE ${key}`);
  }

  /** Every object whose key starts with `prefix` (ListObjectsV2, all pages). */
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | undefined;
    for (;;) {
      const query: [string, string][] = [
        ['encoding-type', 'url'],
        ['list-type', '2'],
        ['prefix', prefix],
        ...(token ? ([['continuation-token', token]] as [string, string][]) : []),
      ];
      const res = await this.request('GET', '', { query });
      if (res.status !== 200) throw await this.refused(res, `listing ${prefix}`);
      const xml = await res.text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const item = m[1]!;
        out.push({ key: decodeURIComponent((xmlText(item, 'Key') ?? '').replace(/\+/g, ' ')), etag: unquoteEtag(xmlText(item, 'ETag')), size: Number(xmlText(item, 'Size') ?? 0) });
      }
      if (xmlText(xml, 'IsTruncated') !== 'true') return out;
      token = xmlText(xml, 'NextContinuationToken');
      if (!token) return out;
    }
  }
}
