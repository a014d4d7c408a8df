/**
 * /s3: an S3-compatible, read-only endpoint over the index, for unmodified S3 clients with path-style addressing
 * (`--endpoint-url http://host:port/s3`, `forcePathStyle: true`).
 *
 *   GET  /s3                                  ListBuckets
 *   GET  /s3/{bucket}?list-type=2&…           ListObjectsV2 (XML per shared/reference/list-objects-v2.md, ≤ 1000 keys)
 *   GET  /s3/{bucket}?prefix=&marker=&…       ListObjects (v1): marker instead of tokens, NextMarker with a delimiter
 *   GET  /s3/{bucket}?location                GetBucketLocation
 *   HEAD /s3/{bucket}                         HeadBucket
 *   HEAD /s3/{bucket}/{key}[?versionId=]      HeadObject headers (404 with no body when missing; 405 for a delete
 *                                             marker's version id; any version the index keeps)
 * Anything else answers an S3 XML error: GET of object content and other sub-resources 501 NotImplemented, any
 * write method 405 MethodNotAllowed. `fetch-owner` is accepted and ignored (the index keeps no owners).
 */
import type { Context, Hono } from 'hono';
import { type PageBounds, S3_MAX_KEYS } from '../index/list';
import type { S3Index } from '../index/s3-index';
import { lendBody, takeBuffer } from './body-pool';
import type { AppEnv } from './context';
import { HttpError } from './errors';
import { pageRange } from './index-versions';
import { bucketSummaries, indexBucketExists, unwrap } from './object-index';
import { checkKey, checkText, invalidArgument, parseMaxKeys, pathBucket, rawPathTail } from './params';
import { renderListObjectsV2Xml } from './s3-list-render';
import { bucketLocationXml, listBucketsXml, listObjectsV1Xml, quotedEtag } from './s3-xml';

export interface S3Deps {
  index: S3Index;
  region: string;
  /** CreationDate reported by ListBuckets (the index does not know when a bucket was created) */
  startedAt: number;
}

const noSuchBucket = (): HttpError => new HttpError(404, 'NoSuchBucket', 'The specified bucket does not exist');
const notImplemented = (): HttpError =>
  new HttpError(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented');

/** Sub-resources a bucket GET may name; only `location` and listing are served. */
const BUCKET_SUBRESOURCES = [
  'acl',
  'cors',
  'encryption',
  'lifecycle',
  'logging',
  'notification',
  'object-lock',
  'policy',
  'replication',
  'tagging',
  'uploads',
  'versioning',
  'versions',
  'website',
];

function xml(c: Context<AppEnv>, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': c.get('requestId'), ...headers },
  });
}

function listObjectsV2(c: Context<AppEnv>, deps: S3Deps, bucket: string, q: URLSearchParams): Response {
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request');
  }
  const prefix = checkText('prefix', q.get('prefix')) ?? '';
  const delimiter = checkText('delimiter', q.get('delimiter'));
  const startAfter = checkText('start-after', q.get('start-after'));
  const token = q.get('continuation-token') ?? undefined;
  const maxKeys = parseMaxKeys(q.get('max-keys'), S3_MAX_KEYS, S3_MAX_KEYS, true);
  let taken: Buffer | undefined;
  const take = (size: number): Buffer => {
    taken = takeBuffer(size);
    return taken;
  };
  const opts = {
    prefix,
    delimiter: delimiter || undefined,
    maxKeys,
    startAfter,
    continuationToken: token,
    encodingUrl: encodingType === 'url',
  };
  const bounds: PageBounds = {};
  const body = unwrap(renderListObjectsV2Xml(deps.index.scope(), bucket, opts, take, bounds));
  if (taken !== undefined) lendBody(c.req.raw, taken, body);
  c.set('cacheBody', body);
  c.set('cacheRange', pageRange(prefix, bounds));
  return new Response(body, {
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': c.get('requestId') },
  });
}

/**
 * ListObjects (v1): `marker` is an exclusive lower bound like start-after (echoed, also when empty); NextMarker, the
 * last key or common prefix returned, only when truncated and a delimiter was sent (as S3 does).
 */
function listObjectsV1(c: Context<AppEnv>, deps: S3Deps, bucket: string, q: URLSearchParams): Response {
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request');
  }
  if (q.has('continuation-token'))
    throw invalidArgument('continuation-token only supported in REST.GET.BUCKET with list-type=2');
  if (q.has('start-after')) throw invalidArgument('startAfter only supported in REST.GET.BUCKET with list-type=2');
  const prefix = checkText('prefix', q.get('prefix')) ?? '';
  const delimiter = checkText('delimiter', q.get('delimiter')) || undefined;
  const marker = checkText('marker', q.get('marker')) ?? '';
  const maxKeys = parseMaxKeys(q.get('max-keys'), S3_MAX_KEYS, S3_MAX_KEYS, true);
  const bounds: PageBounds = {};
  const page = unwrap(
    deps.index.listObjectsV2(
      bucket,
      { prefix, delimiter, maxKeys, startAfter: marker },
      { maxKeysCap: S3_MAX_KEYS },
      bounds,
    ),
  );
  c.set('cacheRange', pageRange(prefix, bounds));
  let nextMarker: string | undefined;
  if (page.isTruncated && delimiter !== undefined) {
    const lastKey = page.contents[page.contents.length - 1]?.key;
    const lastPrefix = page.commonPrefixes[page.commonPrefixes.length - 1];
    nextMarker =
      lastKey === undefined || (lastPrefix !== undefined && utf8Compare(lastPrefix, lastKey) > 0)
        ? lastPrefix
        : lastKey;
  }
  return xml(
    c,
    listObjectsV1Xml({
      bucket,
      prefix,
      delimiter,
      marker,
      maxKeys: page.maxKeys,
      encodingUrl: encodingType === 'url',
      isTruncated: page.isTruncated,
      nextMarker,
      contents: page.contents,
      commonPrefixes: page.commonPrefixes,
    }),
  );
}

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function headObject(c: Context<AppEnv>, deps: S3Deps, bucket: string, key: string, q: URLSearchParams): Response {
  const versionId = q.get('versionId');
  // the current version, or any version the index keeps (the current one and a few older ones per key)
  const o = unwrap(deps.index.version(bucket, key, versionId ?? undefined));
  if (o === undefined) {
    throw new HttpError(404, versionId !== null ? 'NoSuchVersion' : 'NoSuchKey', 'The specified key does not exist.');
  }
  if (o.deleteMarker) {
    // like S3: the current version is a delete marker → 404; a delete marker asked for by id → 405
    const headers: Record<string, string> = { 'x-amz-delete-marker': 'true' };
    if (o.versionId !== undefined) headers['x-amz-version-id'] = o.versionId;
    if (versionId === null) throw new HttpError(404, 'NoSuchKey', 'The specified key does not exist.', { headers });
    headers['last-modified'] = new Date(o.lastModified).toUTCString();
    throw new HttpError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      headers,
    });
  }
  const headers: Record<string, string> = {
    'content-length': String(o.size),
    etag: quotedEtag(o.etag),
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-request-id': c.get('requestId'),
  };
  if (o.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = o.storageClass;
  if (o.versionId !== undefined) headers['x-amz-version-id'] = o.versionId;
  return new Response(null, { status: 200, headers });
}

export function mountS3(app: Hono<AppEnv>, deps: S3Deps): void {
  const { index } = deps;

  const listBuckets = (c: Context<AppEnv>): Response =>
    xml(c, listBucketsXml(bucketSummaries(index).map((b) => ({ name: b.name, creationDate: deps.startedAt }))));

  const bucketOp = (c: Context<AppEnv>): Response => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 2);
    const q = url.searchParams;
    if (c.req.method === 'HEAD') {
      if (!indexBucketExists(index, bucket)) throw noSuchBucket();
      return new Response(null, {
        headers: { 'x-amz-request-id': c.get('requestId'), 'x-amz-bucket-region': deps.region },
      });
    }
    if (q.has('location')) {
      if (!indexBucketExists(index, bucket)) throw noSuchBucket();
      return xml(c, bucketLocationXml(deps.region));
    }
    const listType = q.get('list-type');
    if (BUCKET_SUBRESOURCES.some((s) => q.has(s)) || (listType !== null && listType !== '2')) throw notImplemented();
    return listType === '2' ? listObjectsV2(c, deps, bucket, q) : listObjectsV1(c, deps, bucket, q);
  };

  const objectOp = (c: Context<AppEnv>): Response => {
    const url = new URL(c.req.url);
    // ['', 's3', bucket, …key]
    const bucket = pathBucket(url.pathname, 2);
    const rawKey = rawPathTail(url.pathname, 3);
    if (rawKey === '') return bucketOp(c);
    const key = checkKey(rawKey);
    if (c.req.method !== 'HEAD') throw notImplemented();
    return headObject(c, deps, bucket, key, url.searchParams);
  };

  // hono serves HEAD with the GET routes (c.req.method still says HEAD)
  app.get('/s3', listBuckets);
  app.get('/s3/', listBuckets);
  app.get('/s3/:bucket', bucketOp);
  app.get('/s3/:bucket/', bucketOp);
  app.get('/s3/:bucket/*', objectOp);
  app.on(['PUT', 'POST', 'DELETE', 'PATCH'], ['/s3', '/s3/*'], () => {
    throw new HttpError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  });
}
