/**
 * S3-compatible object storage (as Hetzner Object Storage answers it), path-style under /s3: buckets and
 * objects, and real SigV4 verification of every request (credential, scope, signed headers, payload
 * hash), so a script that signs wrongly, or with other credentials, is refused as a real endpoint would.
 * Writes know S3's conditions (`If-None-Match: *`, `If-Match: <etag>`: 412 PreconditionFailed), every object
 * answer carries its ETag (MD5 of the bytes, as for a single PUT), and ListObjectsV2 lists keys by prefix.
 */
import { createHash, createHmac } from 'node:crypto';
import type { World } from './world';

export interface S3Request {
  method: string;
  /** Path and query as received, e.g. `/s3/bucket/key`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface S3Response {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface S3State {
  accessKey: string;
  secretKey: string;
  buckets: Map<string, Map<string, Buffer>>;
}

const xmlError = (status: number, code: string, message: string): S3Response => ({
  status,
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`,
  headers: { 'Content-Type': 'application/xml' },
});

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Check the request's SigV4 signature; undefined when it holds, else the error to answer. */
export function verifySigV4(s3: S3State, req: S3Request): S3Response | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return xmlError(403, 'AccessDenied', 'Request is not signed with AWS Signature Version 4');
  const [, accessKey, date, region, service, signedHeaders, signature] = m;
  if (accessKey !== s3.accessKey) return xmlError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payload = String(req.headers['x-amz-content-sha256'] ?? sha256(req.body));
  if (req.headers['x-amz-content-sha256'] && payload !== 'UNSIGNED-PAYLOAD' && payload !== sha256(req.body)) {
    return xmlError(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const [path, query = ''] = req.url.split('?');
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&');
  const names = signedHeaders!.split(';');
  const headerLines = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [req.method, path, canonicalQuery, headerLines, signedHeaders, payload].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${s3.secretKey}`, date!), region!), service!), 'aws4_request');
  if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
    return xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  return undefined;
}

/** The ETag S3 gives an object written in one PUT: the MD5 of its bytes, quoted. */
export const etagOf = (body: Buffer): string => `"${createHash('md5').update(body).digest('hex')}"`;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The conditions of a write (`If-None-Match: *` on PUT, `If-Match: <etag>` on PUT and DELETE), as S3
 * checks them: 412 PreconditionFailed when they do not hold; undefined when they do.
 */
function preconditionFails(req: S3Request, current: Buffer | undefined): S3Response | undefined {
  const noneMatch = req.headers['if-none-match'];
  const match = req.headers['if-match'];
  const failed = xmlError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  if (noneMatch !== undefined) {
    if (String(noneMatch).trim() !== '*') return xmlError(501, 'NotImplemented', 'If-None-Match on a write accepts only *');
    if (current !== undefined) return failed;
  }
  if (match !== undefined) {
    if (current === undefined) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
    const wanted = String(match)
      .split(',')
      .map((t) => t.trim());
    if (!wanted.includes('*') && !wanted.includes(etagOf(current))) return failed;
  }
  return undefined;
}

/** ListObjectsV2 (`?list-type=2`): keys under `prefix`, in order, `max-keys` a page, continued by token. */
function listObjects(bucketName: string, bucket: Map<string, Buffer>, query: URLSearchParams): S3Response {
  const prefix = query.get('prefix') ?? '';
  const max = Math.max(1, Math.min(1000, Number(query.get('max-keys') ?? 1000) || 1000));
  const after = query.get('continuation-token') ? Buffer.from(query.get('continuation-token')!, 'base64url').toString() : (query.get('start-after') ?? '');
  const urlEncoded = query.get('encoding-type') === 'url';
  const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  const page = keys.slice(0, max);
  const truncated = keys.length > page.length;
  const name = (k: string) => escapeXml(urlEncoded ? encodeURIComponent(k).replace(/%2F/g, '/') : k);
  const contents = page
    .map(
      (k) =>
        `<Contents><Key>${name(k)}</Key><ETag>${escapeXml(etagOf(bucket.get(k)!))}</ETag><Size>${bucket.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const token = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</NextContinuationToken>` : '';
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucketName)}</Name><Prefix>${name(prefix)}</Prefix>` +
    `<KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>${urlEncoded ? '<EncodingType>url</EncodingType>' : ''}<IsTruncated>${truncated}</IsTruncated>${contents}${token}</ListBucketResult>\n`;
  return { status: 200, body, headers: { 'Content-Type': 'application/xml' } };
}

export function handleS3(world: World, req: S3Request): S3Response {
  const s3 = world.s3;
  const denied = verifySigV4(s3, req);
  if (denied) return denied;
  const [pathPart, queryPart = ''] = req.url.split('?');
  const [, bucketName, ...rest] = pathPart!.replace(/^\/s3/, '').split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const bucket = s3.buckets.get(bucketName ?? '');
  if (!bucket) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (!key) {
    const query = new URLSearchParams(queryPart);
    if (req.method === 'GET' && query.get('list-type') === '2') return listObjects(bucketName!, bucket, query);
    return req.method === 'HEAD' || req.method === 'GET' ? { status: 200 } : xmlError(405, 'MethodNotAllowed', 'not simulated');
  }
  const current = bucket.get(key);
  switch (req.method) {
    case 'PUT': {
      const failed = preconditionFails(req, current);
      if (failed) return failed;
      bucket.set(key, req.body);
      return { status: 200, headers: { ETag: etagOf(req.body) } };
    }
    case 'GET':
    case 'HEAD': {
      if (!current) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      const headers = { ETag: etagOf(current), 'Content-Length': String(current.length) };
      return { status: 200, body: req.method === 'GET' ? current : undefined, headers };
    }
    case 'DELETE': {
      if (req.headers['if-match'] !== undefined && current === undefined) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      const failed = preconditionFails(req, current);
      if (failed) return failed;
      bucket.delete(key);
      return { status: 204 };
    }
    default:
      return xmlError(405, 'MethodNotAllowed', `${req.method} is not simulated`);
  }
}
