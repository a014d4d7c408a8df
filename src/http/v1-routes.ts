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
import type { ListPage } from '../index/list';
import type { S3Index } from '../index/s3-index';
import { readJsonBody } from './body';
import type { HttpLimits } from './config';
import type { AppEnv } from './context';
import { forbidden, HttpError } from './errors';
import { bucketSummaries, indexBucketExists, type ObjectFields, unwrap } from './object-index';
import { checkKey, checkText, parseMaxKeys, pathBucket, rawPathTail } from './params';

export interface V1Deps {
  index: S3Index;
  limits: HttpLimits;
  /** counts of ingest outcomes, for /metrics */
  eventCounts: Record<'applied' | 'stale' | 'duplicate' | 'ignored' | 'rejected', number>;
}

const DAY_MS = 86_400_000;
const MAX_ISO_MS = 253_402_300_800_000; // 10000-01-01: beyond it toISOString uses 6-digit years
const PAD = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayPrefixes = new Map<number, string>();

/** Date.toISOString, without a Date per call: the day part is cached, the time of day is arithmetic. */
export function isoTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < MAX_ISO_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 100_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let r = ms - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  return `${prefix}${PAD[h]!.slice(1)}:${PAD[m]!.slice(1)}:${PAD[sec]!.slice(1)}.${PAD[r - sec * 1000]}Z`;
}

/** JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const jsonOrNull = (s: string | undefined): string => (s === undefined ? 'null' : jsonString(s));

/** One object as JSON text (hand-built: this is the NDJSON export's inner loop). */
export function objectJson(o: ObjectFields): string {
  return (
    `{"key":${jsonString(o.key)},"size":${o.size},"etag":${jsonOrNull(o.etag)},"lastModified":"${isoTimestamp(o.lastModified)}",` +
    `"storageClass":${jsonString(o.storageClass)},"versionId":${jsonOrNull(o.versionId)}}`
  );
}

function pageJson(p: ListPage): string {
  return (
    `{"bucket":${JSON.stringify(p.bucket)},"prefix":${JSON.stringify(p.prefix)},"delimiter":${jsonOrNull(p.delimiter)},` +
    `"keyCount":${p.keyCount},"isTruncated":${p.isTruncated},"nextContinuationToken":${jsonOrNull(p.nextContinuationToken)},` +
    `"objects":[${p.contents.map(objectJson).join(',')}],"commonPrefixes":${JSON.stringify(p.commonPrefixes)}}`
  );
}

/** The lines of one page in listing order: objects and, with a delimiter, {"commonPrefix"} entries merged in. */
function pageLines(p: ListPage): string {
  if (p.commonPrefixes.length === 0) {
    let s = '';
    for (const o of p.contents) s += `${objectJson(o)}\n`;
    return s;
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < p.contents.length || j < p.commonPrefixes.length) {
    const o = p.contents[i];
    const cp = p.commonPrefixes[j];
    if (o !== undefined && (cp === undefined || Buffer.compare(Buffer.from(o.key), Buffer.from(cp)) < 0)) {
      lines.push(objectJson(o));
      i++;
    } else {
      lines.push(`{"commonPrefix":${JSON.stringify(cp)}}`);
      j++;
    }
  }
  return `${lines.join('\n')}\n`;
}

const NDJSON_PAGE = 5000;

function ndjsonStream(pages: Iterable<ListPage>): ReadableStream<Uint8Array> {
  let it: Iterator<ListPage> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        it ??= pages[Symbol.iterator]();
        // one page per pull: computed synchronously on the engine, then the engine is free until the next pull
        const next = it.next();
        if (next.done) {
          controller.close();
          return;
        }
        const text = pageLines(next.value);
        if (text.length > 0) controller.enqueue(Buffer.from(text, 'utf8'));
      },
      cancel() {
        it?.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

const jsonText = (text: string, status = 200): Response =>
  new Response(text, { status, headers: { 'content-type': 'application/json' } });

function wantsNdjson(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('application/x-ndjson');
}

export function mountV1(app: Hono<AppEnv>, deps: V1Deps): void {
  const { index, limits } = deps;

  app.get('/v1/buckets', (c) => c.json({ buckets: bucketSummaries(index) }));

  app.get('/v1/buckets/:bucket/objects', (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const q = url.searchParams;
    const prefix = checkText('prefix', q.get('prefix')) ?? '';
    const delimiter = checkText('delimiter', q.get('delimiter')) || undefined;
    const startAfter = checkText('start-after', q.get('start-after'));
    if (wantsNdjson(c)) {
      if (!indexBucketExists(index, bucket))
        throw new HttpError(404, 'NoSuchBucket', 'The specified bucket does not exist');
      return new Response(ndjsonStream(index.listAll(bucket, { prefix, delimiter, startAfter }, NDJSON_PAGE)), {
        headers: { 'content-type': 'application/x-ndjson' },
      });
    }
    const maxKeys = parseMaxKeys(q.get('max-keys'), 1000, limits.maxListKeys, false);
    const token = q.get('continuation-token') ?? undefined;
    const page = unwrap(
      index.listObjectsV2(
        bucket,
        { prefix, delimiter, maxKeys, startAfter, continuationToken: token },
        { maxKeysCap: limits.maxListKeys },
      ),
    );
    return jsonText(pageJson(page));
  });

  app.get('/v1/buckets/:bucket/objects/*', (c) => {
    // ['', 'v1', 'buckets', bucket, 'objects', …key]
    const { pathname } = new URL(c.req.url);
    const bucket = pathBucket(pathname, 3);
    const key = checkKey(rawPathTail(pathname, 5));
    const o = unwrap(index.head(bucket, key));
    if (o === undefined) throw new HttpError(404, 'NoSuchKey', 'The specified key does not exist.');
    return jsonText(objectJson(o));
  });

  app.get('/v1/buckets/:bucket/stats', (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const prefix = checkText('prefix', url.searchParams.get('prefix')) ?? '';
    return c.json(unwrap(index.stats(bucket, prefix)));
  });

  app.post('/v1/events', async (c) => {
    if (c.get('tokenKind') !== 'rw') throw forbidden('a read-write token is needed to ingest events');
    const body = await readJsonBody(c.req.raw, limits.maxBodyBytes);
    const outcome = index.ingest(body);
    const counts = deps.eventCounts;
    counts.applied += outcome.applied;
    counts.stale += outcome.stale;
    counts.duplicate += outcome.duplicate;
    counts.ignored += outcome.ignored;
    counts.rejected += outcome.rejected.length;
    return c.json(outcome);
  });
}
