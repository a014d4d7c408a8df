/**
 * The response cache as one hono middleware, for the read-heavy GET routes it is mounted on (/v1/buckets/*, /s3/*):
 * a hit is answered from memory, a miss runs the route and keeps its 200 response (see response-cache.ts for when an
 * entry stays valid). This file owns the cache, its key and its hit/miss counters on /metrics.
 *
 * The app mounts it after its request-id/metrics and authentication middleware, so a hit is authenticated, gets a
 * request id of its own and is counted like any other request: nothing of that is done here.
 */
import type { MiddlewareHandler } from 'hono';
import type { ObjectIndex } from '../service/object-index';
import type { AppEnv } from './context';
import { bucketOfTarget, IndexVersions, type KeyRange } from './index-versions';
import type { HttpMetrics } from './metrics';
import { ResponseCache } from './response-cache';

/** Entries kept at most (the byte bound is the configured responseCacheBytes). */
const MAX_ENTRIES = 4096;

/** The cache's key: the request target (path and query, as sent) and the Accept header. */
export function cacheKey(url: string, accept: string | undefined): string {
  return `${url.slice(url.indexOf('/', url.indexOf('//') + 2))} ${accept ?? ''}`;
}

export interface CacheMiddlewareDeps {
  /** what the cached routes read; its change reports invalidate entries */
  index: Pick<ObjectIndex, 'onChange'>;
  /** the cache's byte bound; 0 turns the cache off (the middleware then only calls the route) */
  maxBytes: number;
  /** where the hit/miss counters are reported */
  metrics: HttpMetrics;
}

export function responseCacheMiddleware(deps: CacheMiddlewareDeps): MiddlewareHandler<AppEnv> {
  const versions = new IndexVersions(deps.index);
  const cache = new ResponseCache<KeyRange>(
    {
      version: (key) => versions.of(bucketOfTarget(key)),
      currentFor: (key, since, range) => versions.currentFor(bucketOfTarget(key), since, range),
    },
    MAX_ENTRIES,
    deps.maxBytes,
  );
  deps.metrics.addCollector(() => [
    {
      name: 's3index_http_response_cache_total',
      help: 'Listing/stats responses served from the response cache (hit) or computed (miss).',
      type: 'counter',
      samples: [
        { labels: { result: 'hit' }, value: cache.hits },
        { labels: { result: 'miss' }, value: cache.misses },
      ],
    },
  ]);
  if (deps.maxBytes === 0) return (_c, next) => next();

  return async (c, next) => {
    if (c.req.method !== 'GET') return next();
    const key = cacheKey(c.req.url, c.req.header('accept'));
    const hit = cache.get(key);
    if (hit !== undefined) {
      // a plain header record and the stored bytes: the Node adapter writes them without a Headers object
      const headers =
        hit.headers['x-amz-request-id'] === undefined
          ? hit.headers
          : { ...hit.headers, 'x-amz-request-id': c.get('requestId') };
      return new Response(hit.body, { status: hit.status, headers });
    }
    const version = cache.currentVersion(key);
    await next();
    const res = c.res;
    if (res.status !== 200) return;
    let body = c.get('cacheBody');
    // a view (rendered pages are views of a larger buffer): keep an exact copy of its own, not the whole buffer
    if (body !== undefined && (body.byteOffset !== 0 || body.buffer.byteLength !== body.byteLength))
      body = new Uint8Array(body); // a copy (Buffer#slice would be a view)
    if (body === undefined) {
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('ndjson') || res.body === null) return;
      body = new Uint8Array(await res.arrayBuffer());
      c.res = new Response(body, { status: res.status, headers: res.headers });
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    cache.set(key, { status: res.status, headers, body }, version, c.get('cacheRange'));
  };
}
