/**
 * /v1: the JSON API over the object index.
 *
 *   GET  /v1/buckets                                  {"buckets":[{"name","objects","bytes"}]}
 *   GET  /v1/buckets/{bucket}/objects?prefix=&delimiter=&max-keys=&start-after=&continuation-token=
 *                                                     one ListObjectsV2 page as JSON (max-keys ≤ limits.maxListKeys)
 *        … with `Accept: application/x-ndjson`        the whole listing under the prefix, one object per line
 *   GET  /v1/buckets/{bucket}/objects/{key}           the object, or 404 (the key may contain '/')
 *   GET  /v1/buckets/{bucket}/stats?prefix=           {"objects","bytes"}
 *   POST /v1/events                                   ingest events → {"applied","stale","duplicate","ignored","rejected"}
 */
import type { Context, Hono } from 'hono';
import { levelAllows } from '../engine/acl';
import type { PageBounds } from '../index/list';
import type { ObjectIndex } from '../service/object-index';
import { readJsonBody } from './body';
import type { HttpLimits } from './config';
import type { AppEnv } from './context';
import { forbidden, HttpError } from './errors';
import { bucketSummaries, unwrap } from './index-answers';
import { pageRange, rangeText } from './index-versions';
import { jsonListPage, ndjsonPage, ndjsonPageOptions, objectJson } from './json-list-render';
import { checkKey, checkText, parseMaxKeys, pathBucket, rawPathTail } from './params';

export interface V1Deps {
  index: ObjectIndex;
  limits: HttpLimits;
  /** counts of ingest outcomes, for /metrics */
  eventCounts: Record<'applied' | 'stale' | 'duplicate' | 'ignored' | 'rejected', number>;
}

/** `cacheBody`: the bytes of the response, for the response cache (no re-reading of the Response). */
const jsonBytes = (c: Context<AppEnv>, body: Buffer): Response => {
  c.set('cacheBody', body);
  return new Response(body, { status: 200, headers: JSON_HEADERS });
};
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * The NDJSON export of a listing (see ndjsonPageOptions): one page of NDJSON_PAGE rows listed per pull, so the index
 * is free between pages; ends early when the bucket goes away meanwhile.
 */
async function* ndjsonExport(
  index: ObjectIndex,
  bucket: string,
  opts: { prefix: string; delimiter: string | undefined; startAfter: string | undefined },
): AsyncGenerator<Buffer, void, undefined> {
  let after: Buffer | undefined;
  for (;;) {
    const page = ndjsonPage(!!opts.delimiter, NDJSON_PAGE);
    const raw = await index.listRaw(bucket, ndjsonPageOptions(opts, NDJSON_PAGE, after), page.row);
    if (!raw.ok) return;
    const chunk = page.finish(raw.value);
    if (chunk.length > 0) yield chunk;
    if (!raw.value.truncated || raw.value.last === undefined) return;
    after = raw.value.last;
  }
}

function ndjsonStream(chunks: AsyncIterator<Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // one chunk (up to NDJSON_PAGE rows) per pull
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

const NDJSON_PAGE = 10_000;

const jsonText = (text: string, status = 200): Response =>
  new Response(text, { status, headers: { 'content-type': 'application/json' } });

function wantsNdjson(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('application/x-ndjson');
}

export function mountV1(app: Hono<AppEnv>, deps: V1Deps): void {
  const { index, limits } = deps;

  app.get('/v1/buckets', async (c) => c.json({ buckets: await bucketSummaries(index) }));

  app.get('/v1/buckets/:bucket/objects', async (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const q = url.searchParams;
    const prefix = checkText('prefix', q.get('prefix')) ?? '';
    const delimiter = checkText('delimiter', q.get('delimiter')) || undefined;
    const startAfter = checkText('start-after', q.get('start-after'));
    if (wantsNdjson(c)) {
      if (!(await index.bucketExists(bucket)))
        throw new HttpError(404, 'NoSuchBucket', 'The specified bucket does not exist');
      const chunks = ndjsonExport(index, bucket, { prefix, delimiter, startAfter });
      return new Response(ndjsonStream(chunks), { headers: { 'content-type': 'application/x-ndjson' } });
    }
    const maxKeys = parseMaxKeys(q.get('max-keys'), 1000, limits.maxListKeys, false);
    const token = q.get('continuation-token') ?? undefined;
    const opts = { prefix, delimiter, maxKeys, startAfter, continuationToken: token };
    const bounds: PageBounds = {};
    const page = jsonListPage(bucket, opts);
    const body = page.finish(unwrap(await index.listRaw(bucket, opts, page.row, bounds)));
    c.set('cacheRange', pageRange(prefix, bounds));
    return jsonBytes(c, body);
  });

  app.get('/v1/buckets/:bucket/objects/*', async (c) => {
    // ['', 'v1', 'buckets', bucket, 'objects', …key]
    const { pathname } = new URL(c.req.url);
    const bucket = pathBucket(pathname, 3);
    const key = checkKey(rawPathTail(pathname, 5));
    const o = unwrap(await index.head(bucket, key));
    if (o === undefined) throw new HttpError(404, 'NoSuchKey', 'The specified key does not exist.');
    const k = rangeText(key);
    c.set('cacheRange', { prefix: k, through: k });
    return jsonText(objectJson(o));
  });

  app.get('/v1/buckets/:bucket/stats', async (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const prefix = checkText('prefix', url.searchParams.get('prefix')) ?? '';
    const r = unwrap(await index.stats(bucket, prefix));
    c.set('cacheRange', { prefix: rangeText(prefix) });
    return c.json(r);
  });

  app.post('/v1/events', async (c) => {
    if (!levelAllows(c.get('tokenKind'), 'rw')) throw forbidden('a read-write token is needed to ingest events');
    const body = await readJsonBody(c.req.raw, limits.maxBodyBytes);
    const outcome = await index.ingest(body);
    const counts = deps.eventCounts;
    counts.applied += outcome.applied;
    counts.stale += outcome.stale;
    counts.duplicate += outcome.duplicate;
    counts.ignored += outcome.ignored;
    counts.rejected += outcome.rejected.length;
    return c.json(outcome);
  });
}
