/**
 * S3-compatible object storage (as Hetzner Object Storage answers it), path-style under /s3: buckets and
 * objects, and real SigV4 verification of every request (credential, scope, signed headers, payload
 * hash), so a script that signs wrongly, or with other credentials, is refused as a real endpoint would.
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
  const headerLines = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, path, canonicalQuery, headerLines, signedHeaders, payload].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${s3.secretKey}`, date!), region!), service!), 'aws4_request');
  if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
    return xmlError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  return undefined;
}

export function handleS3(world: World, req: S3Request): S3Response {
  const s3 = world.s3;
  const denied = verifySigV4(s3, req);
  if (denied) return denied;
  const [, bucketName, ...rest] = req.url.split('?')[0]!.replace(/^\/s3/, '').split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const bucket = s3.buckets.get(bucketName ?? '');
  if (!bucket) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (!key) return req.method === 'HEAD' || req.method === 'GET' ? { status: 200 } : xmlError(405, 'MethodNotAllowed', 'not simulated');
  switch (req.method) {
    case 'PUT':
      bucket.set(key, req.body);
      return { status: 200, headers: { ETag: `"${createHash('md5').update(req.body).digest('hex')}"` } };
    case 'GET':
    case 'HEAD': {
      const object = bucket.get(key);
      if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      return { status: 200, body: req.method === 'GET' ? object : undefined };
    }
    case 'DELETE':
      bucket.delete(key);
      return { status: 204 };
    default:
      return xmlError(405, 'MethodNotAllowed', `${req.method} is not simulated`);
  }
}
