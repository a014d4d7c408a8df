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
 * Every other S3 operation (GetObject, PutObject, DeleteObject, GetBucketAcl, ListObjectVersions, …), identified as
 * S3 does by the method, whether a key is present and the sub-resource parameter (`s3Operation`), answers 501
 * NotImplemented with a message that names it; methods S3 does not have answer 405 MethodNotAllowed.
 * `fetch-owner` is accepted and ignored (the index keeps no owners).
 */
import type { Context, Hono } from 'hono';
import { type PageBounds, S3_MAX_KEYS } from '../index/list';
import type { ObjectIndex } from '../service/object-index';
import type { AppEnv } from './context';
import { HttpError } from './errors';
import { unwrap } from './index-answers';
import { pageRange } from './index-versions';
import { checkKey, checkText, invalidArgument, parseMaxKeys, pathBucket, rawPathTail } from './params';
import { xmlListPage } from './s3-list-render';
import { bucketLocationXml, listBucketsXml, listObjectsV1Xml, quotedEtag } from './s3-xml';

export interface S3Deps {
  index: ObjectIndex;
  region: string;
  /** CreationDate reported by ListBuckets (the index does not know when a bucket was created) */
  startedAt: number;
}

const noSuchBucket = (): HttpError => new HttpError(404, 'NoSuchBucket', 'The specified bucket does not exist');
const methodNotAllowed = (): HttpError =>
  new HttpError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

type S3Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
/** The operation each method names on a resource with this sub-resource parameter (the key '' : none). */
type OperationTable = Readonly<Record<string, Partial<Record<S3Method, string>>>>;

/**
 * S3's bucket operations by sub-resource. A parameter that names no operation for the method is not a sub-resource
 * for it (S3 ignores unknown parameters): the request is the method's plain operation (`''`).
 */
const BUCKET_OPERATIONS: OperationTable = {
  accelerate: { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  analytics: {
    GET: 'GetBucketAnalyticsConfiguration',
    PUT: 'PutBucketAnalyticsConfiguration',
    DELETE: 'DeleteBucketAnalyticsConfiguration',
  },
  cors: { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' },
  delete: { POST: 'DeleteObjects' },
  encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' },
  'intelligent-tiering': {
    GET: 'GetBucketIntelligentTieringConfiguration',
    PUT: 'PutBucketIntelligentTieringConfiguration',
    DELETE: 'DeleteBucketIntelligentTieringConfiguration',
  },
  inventory: {
    GET: 'GetBucketInventoryConfiguration',
    PUT: 'PutBucketInventoryConfiguration',
    DELETE: 'DeleteBucketInventoryConfiguration',
  },
  lifecycle: {
    GET: 'GetBucketLifecycleConfiguration',
    PUT: 'PutBucketLifecycleConfiguration',
    DELETE: 'DeleteBucketLifecycle',
  },
  location: { GET: 'GetBucketLocation' },
  logging: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' },
  metrics: {
    GET: 'GetBucketMetricsConfiguration',
    PUT: 'PutBucketMetricsConfiguration',
    DELETE: 'DeleteBucketMetricsConfiguration',
  },
  notification: { GET: 'GetBucketNotificationConfiguration', PUT: 'PutBucketNotificationConfiguration' },
  'object-lock': { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' },
  ownershipControls: {
    GET: 'GetBucketOwnershipControls',
    PUT: 'PutBucketOwnershipControls',
    DELETE: 'DeleteBucketOwnershipControls',
  },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  policyStatus: { GET: 'GetBucketPolicyStatus' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  replication: { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' },
  requestPayment: { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
  uploads: { GET: 'ListMultipartUploads' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  versions: { GET: 'ListObjectVersions' },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  // GET: ListObjects or ListObjectsV2, by list-type (s3Operation); POST without a sub-resource is a browser upload
  '': { PUT: 'CreateBucket', POST: 'PostObject', DELETE: 'DeleteBucket' },
};

/** S3's object operations by sub-resource, as BUCKET_OPERATIONS. */
const OBJECT_OPERATIONS: OperationTable = {
  acl: { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' },
  attributes: { GET: 'GetObjectAttributes' },
  'legal-hold': { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' },
  restore: { POST: 'RestoreObject' },
  retention: { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' },
  select: { POST: 'SelectObjectContent' },
  tagging: { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' },
  torrent: { GET: 'GetObjectTorrent' },
  uploadId: { GET: 'ListParts', PUT: 'UploadPart', POST: 'CompleteMultipartUpload', DELETE: 'AbortMultipartUpload' },
  uploads: { POST: 'CreateMultipartUpload' },
  '': { GET: 'GetObject', PUT: 'PutObject', DELETE: 'DeleteObject' },
};

/**
 * The S3 operation a request on a bucket (`hasKey` false) or an object names, the way S3 tells them apart: the
 * method, whether a key is present, the sub-resource parameter, and for a PUT the x-amz-copy-source header. HEAD is
 * HeadBucket/HeadObject whatever the parameters. Undefined for a method S3 does not have.
 */
export function s3Operation(
  method: string,
  hasKey: boolean,
  query: URLSearchParams,
  copySource: boolean,
): string | undefined {
  if (method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
  if (method !== 'GET' && method !== 'PUT' && method !== 'POST' && method !== 'DELETE') return undefined;
  const table = hasKey ? OBJECT_OPERATIONS : BUCKET_OPERATIONS;
  let op: string | undefined;
  for (const name of query.keys()) {
    op = table[name]?.[method];
    if (op !== undefined) break;
  }
  op ??= table['']![method];
  if (op === 'PutObject' && copySource) return 'CopyObject';
  if (op === 'UploadPart' && copySource) return 'UploadPartCopy';
  if (op !== undefined) return op;
  // a bucket GET without a sub-resource lists
  const listType = query.get('list-type');
  if (listType === null) return 'ListObjects';
  return listType === '2' ? 'ListObjectsV2' : `ListObjects with list-type=${listType}`;
}

const WRITES = /^(Put|Create|Delete|Copy|Upload|Complete|Abort|Restore|Post)/;

/** 501 NotImplemented naming the operation, and what to use instead. */
function notImplemented(operation: string): HttpError {
  const instead = WRITES.test(operation)
    ? 's3-index is a read-only index: write to S3, whose events keep the index current'
    : 's3-index serves ListObjectsV2, ListObjects and HeadObject from its index (and ListBuckets, HeadBucket, ' +
      'GetBucketLocation); read objects from S3';
  return new HttpError(501, 'NotImplemented', `${operation} is not implemented: ${instead}`);
}

function xml(c: Context<AppEnv>, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': c.get('requestId'), ...headers },
  });
}

async function listObjectsV2(c: Context<AppEnv>, deps: S3Deps, bucket: string, q: URLSearchParams): Promise<Response> {
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request');
  }
  const prefix = checkText('prefix', q.get('prefix')) ?? '';
  const delimiter = checkText('delimiter', q.get('delimiter'));
  const startAfter = checkText('start-after', q.get('start-after'));
  const token = q.get('continuation-token') ?? undefined;
  const maxKeys = parseMaxKeys(q.get('max-keys'), S3_MAX_KEYS, S3_MAX_KEYS, true);
  const opts = {
    prefix,
    delimiter: delimiter || undefined,
    maxKeys,
    startAfter,
    continuationToken: token,
    encodingUrl: encodingType === 'url',
  };
  const bounds: PageBounds = {};
  const page = xmlListPage(bucket, opts);
  const body = page.finish(unwrap(await deps.index.listRaw(bucket, opts, page.row, bounds)));
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
async function listObjectsV1(c: Context<AppEnv>, deps: S3Deps, bucket: string, q: URLSearchParams): Promise<Response> {
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
    await deps.index.listObjectsV2(
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

/**
 * A header value from the index (ETag, storage class, version id): as it is when printable ASCII, which is all S3
 * sends, else percent-encoded. Ingest takes ETags and version ids as events give them, and a line break or a
 * character past latin1 in a header would make the Response throw, and HEAD answer 500.
 */
const headerText = (s: string): string => (/^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s));

async function headObject(
  c: Context<AppEnv>,
  deps: S3Deps,
  bucket: string,
  key: string,
  q: URLSearchParams,
): Promise<Response> {
  const versionId = q.get('versionId');
  // the current version, or any version the index keeps (the current one and a few older ones per key)
  const o = unwrap(await deps.index.version(bucket, key, versionId ?? undefined));
  if (o === undefined) {
    throw new HttpError(404, versionId !== null ? 'NoSuchVersion' : 'NoSuchKey', 'The specified key does not exist.');
  }
  if (o.deleteMarker) {
    // like S3: the current version is a delete marker → 404; a delete marker asked for by id → 405
    const headers: Record<string, string> = { 'x-amz-delete-marker': 'true' };
    if (o.versionId !== undefined) headers['x-amz-version-id'] = headerText(o.versionId);
    if (versionId === null) throw new HttpError(404, 'NoSuchKey', 'The specified key does not exist.', { headers });
    headers['last-modified'] = new Date(o.lastModified).toUTCString();
    throw new HttpError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      headers,
    });
  }
  const headers: Record<string, string> = {
    'content-length': String(o.size),
    etag: quotedEtag(o.etag === undefined ? undefined : headerText(o.etag)),
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-request-id': c.get('requestId'),
  };
  if (o.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = headerText(o.storageClass);
  if (o.versionId !== undefined) headers['x-amz-version-id'] = headerText(o.versionId);
  return new Response(null, { status: 200, headers });
}

export function mountS3(app: Hono<AppEnv>, deps: S3Deps): void {
  const { index } = deps;

  const listBuckets = async (c: Context<AppEnv>): Promise<Response> => {
    const names = await index.listBuckets();
    return xml(c, listBucketsXml(names.map((name) => ({ name, creationDate: deps.startedAt }))));
  };

  /** A request on a bucket or an object: served when the index can answer it, else 501 naming the operation. */
  const bucketOrObject = async (c: Context<AppEnv>): Promise<Response> => {
    const url = new URL(c.req.url);
    // ['', 's3', bucket, …key]
    const bucket = pathBucket(url.pathname, 2);
    const rawKey = rawPathTail(url.pathname, 3);
    const key = rawKey === '' ? undefined : checkKey(rawKey);
    const q = url.searchParams;
    const operation = s3Operation(c.req.method, key !== undefined, q, c.req.header('x-amz-copy-source') !== undefined);
    switch (operation) {
      case undefined:
        throw methodNotAllowed();
      case 'HeadBucket':
        if (!(await index.bucketExists(bucket))) throw noSuchBucket();
        return new Response(null, {
          headers: { 'x-amz-request-id': c.get('requestId'), 'x-amz-bucket-region': deps.region },
        });
      case 'GetBucketLocation':
        if (!(await index.bucketExists(bucket))) throw noSuchBucket();
        return xml(c, bucketLocationXml(deps.region));
      case 'ListObjectsV2':
        return listObjectsV2(c, deps, bucket, q);
      case 'ListObjects':
        return listObjectsV1(c, deps, bucket, q);
      case 'HeadObject':
        return headObject(c, deps, bucket, key!, q);
      default:
        throw notImplemented(operation);
    }
  };

  // hono serves HEAD with the GET routes (c.req.method still says HEAD)
  app.get('/s3', listBuckets);
  app.get('/s3/', listBuckets);
  app.on(['GET', 'PUT', 'POST', 'DELETE'], ['/s3/:bucket', '/s3/:bucket/', '/s3/:bucket/*'], bucketOrObject);
  // writes to the service itself, and methods S3 does not have
  app.on(['PUT', 'POST', 'DELETE', 'PATCH'], ['/s3', '/s3/*'], () => {
    throw methodNotAllowed();
  });
}
