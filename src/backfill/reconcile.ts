/**
 * Reconcile: compares the index of a bucket (prefix) with a fresh listing of it and reports the drift, repairing it
 * when asked.
 *
 *  1. crawlStart = the index server's TIME (the tombstones and the skip rule below are on its clock).
 *  2. The bucket side: every object under the prefix (crawl.ts), sorted in S3's order (UTF-8 bytes, compareKeys).
 *     The index side: S3IDX.LIST pages (STARTAFTER) through `redis`. Both merge-joined in key order:
 *       missing  the bucket lists the key, the index does not;
 *       extra    the index lists it, the bucket does not;
 *       stale    both list it with a different size or ETag.
 *     A write racing the listing is not drift: an entry of either side last modified at or after crawlStart − 1 s
 *     is skipped. The keys the index holds for verification (S3IDX.UNVERIFIED) are left out of the join.
 *  3. checkedAt = TIME again, then HeadObject (`concurrency` at a time, 5xx / throttling / network errors retried)
 *     on every extra key (only a 404 confirms it; a 200 means the listing raced a write: not drift) and every key
 *     awaiting verification (200 → PRESENT with its metadata and VersionId, 404 → ABSENT).
 *  4. repair: missing and stale rows → S3IDX.BACKFILL (the 'listed' merge rule, with crawlStart: never overrides an
 *     event), extra and unverified keys → S3IDX.VERIFIED (with checkedAt: never overrides an event applied since
 *     the HEAD began), in pages. Without repair nothing is written.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type CrawledObject, crawl } from './crawl';
import { compareKeys } from './keyspace';

export interface Row {
  key: string;
  size: number;
  etag: string;
  /** ms since the epoch */
  lastModified: number;
  storageClass: string;
}

export interface StaleEntry {
  key: string;
  index: Row;
  bucket: Row;
}

export interface RepairCounts {
  applied: number;
  stale: number;
  duplicate: number;
  ignored: number;
  /** rows handed to a `write` that applies them later (the reconcile Lambda: messages to the ingest queue) */
  queued: number;
}

export interface ReconcileReport {
  bucket: string;
  prefix: string;
  crawlStart: number;
  checked: { bucket: number; index: number };
  missing: Row[];
  extra: Row[];
  stale: StaleEntry[];
  /** keys awaiting verification (HeadObject asked about each) */
  unverified: number;
  verified: { present: number; absent: number };
  /** listing rows skipped because a write raced the listing */
  skipped: number;
  /** S3IDX.BACKFILL + S3IDX.VERIFIED replies, summed; all zero without repair */
  repaired: RepairCounts;
}

export interface ReconcileProgress {
  phase: 'bucket' | 'index' | 'head' | 'repair';
  done: number;
}

export interface ReconcileOptions {
  s3: Pick<S3Client, 'send'>;
  bucket: string;
  prefix?: string;
  /** ListObjectsV2 and HeadObject requests in flight at most (default 8) */
  concurrency?: number;
  /** one command through the index's /redis (or an engine): its JSON result; throws on an error reply */
  redis(argv: string[]): Promise<unknown>;
  /**
   * Where the repair commands (S3IDX.BACKFILL, S3IDX.VERIFIED) go; default `redis`. Answering undefined means the
   * command was queued, to be applied later: its rows are counted as `queued`.
   */
  write?(argv: string[]): Promise<unknown>;
  /**
   * Entries modified this recently before the listing began are not drift: a write racing the listing, or an event
   * still on its way to the index (default 1000 ms: S3's second-precision Last-Modified).
   */
  settleMs?: number;
  repair: boolean;
  onProgress?(p: ReconcileProgress): void;
  /** retries of a HeadObject failing with 5xx / throttling / network errors (default 6), first backoff ms (50) */
  headRetries?: number;
  retryBaseMs?: number;
  /** S3IDX.LIST MAXKEYS and rows per repair command (default 1000 / 500); a repair command's UTF-8 bytes at most
   * (default 192 KiB, under SQS's 256 KiB message size with its JSON quoting; a longer row goes alone) */
  indexPageSize?: number;
  repairPageSize?: number;
  repairPageBytes?: number;
}

/** How many drifted keys a report holds: missing, extra, stale, and keys awaiting verification. */
export const driftOf = (r: ReconcileReport): number =>
  r.missing.length + r.extra.length + r.stale.length + r.unverified;

/** Skew allowed for S3's lastModified (second precision) against the index's clock. */
const RACE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A map reply as an object: RESP3 maps may come as objects or as flat [name, value, …] arrays. */
export function mapOf(reply: unknown): Record<string, unknown> {
  if (Array.isArray(reply)) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) o[String(reply[i])] = reply[i + 1];
    return o;
  }
  if (reply !== null && typeof reply === 'object') return reply as Record<string, unknown>;
  throw new Error(`expected a map reply, got ${JSON.stringify(reply)}`);
}

async function serverTime(redis: ReconcileOptions['redis']): Promise<number> {
  const [sec, usec] = (await redis(['TIME'])) as [string, string];
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
}

function indexRow(o: unknown): Row {
  const m = mapOf(o);
  return {
    key: String(m.key),
    size: Number(m.size),
    etag: m.etag === null || m.etag === undefined ? '' : String(m.etag),
    lastModified: Date.parse(String(m['last-modified'])),
    storageClass: String(m['storage-class'] ?? 'STANDARD'),
  };
}

/** Every object the index lists under the prefix, in key order, page by page. */
async function indexRows(o: ReconcileOptions, prefix: string, progress: (n: number) => void): Promise<Row[]> {
  const rows: Row[] = [];
  let startAfter: string | undefined;
  const maxKeys = String(o.indexPageSize ?? 1000);
  for (;;) {
    const argv = ['S3IDX.LIST', o.bucket, 'MAXKEYS', maxKeys];
    if (prefix !== '') argv.push('PREFIX', prefix);
    if (startAfter !== undefined) argv.push('STARTAFTER', startAfter);
    let page: Record<string, unknown>;
    try {
      page = mapOf(await o.redis(argv));
    } catch (err) {
      // a bucket the index never saw
      if (/no such bucket/i.test((err as Error).message)) return rows;
      throw err;
    }
    const objects = (page.objects as unknown[]).map(indexRow);
    rows.push(...objects);
    progress(rows.length);
    if (Number(page.truncated) !== 1 || objects.length === 0) return rows;
    startAfter = objects.at(-1)!.key;
  }
}

type HeadResult = { present: true; row: Row; versionId: string } | { present: false };

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function retryable(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status >= 500 || status === 429;
  const name = (err as { name?: string }).name ?? '';
  if (/Throttl|SlowDown|Timeout|RequestTimeout/i.test(name)) return true;
  const code = (err as { code?: string }).code ?? '';
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(`${code} ${(err as Error).message}`);
}

async function headObject(o: ReconcileOptions, key: string): Promise<HeadResult> {
  const retries = o.headRetries ?? 6;
  const base = o.retryBaseMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await o.s3.send(new HeadObjectCommand({ Bucket: o.bucket, Key: key }));
      return {
        present: true,
        versionId: r.VersionId && r.VersionId !== 'null' ? r.VersionId : '',
        row: {
          key,
          size: r.ContentLength ?? 0,
          etag: (r.ETag ?? '').replace(/^"|"$/g, ''),
          lastModified: r.LastModified?.getTime() ?? 0,
          storageClass: r.StorageClass ?? 'STANDARD',
        },
      };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (statusOf(err) === 404 || name === 'NotFound' || name === 'NoSuchKey') return { present: false };
      if (attempt >= retries || !retryable(err)) throw err;
      await sleep(Math.random() * Math.min(2000, base * 2 ** attempt));
    }
  }
}

/**
 * Rows in pages of at most `count` rows and about `bytes` bytes (each field's UTF-8 length plus JSON quoting), in
 * order; a row over `bytes` on its own gets a page to itself.
 */
export function repairPages(rows: string[][], count: number, bytes: number): string[][][] {
  const pages: string[][][] = [];
  let page: string[][] = [];
  let size = 0;
  for (const row of rows) {
    const n = row.reduce((t, f) => t + Buffer.byteLength(JSON.stringify(f)) + 1, 0);
    if (page.length > 0 && (page.length >= count || size + n > bytes)) {
      pages.push(page);
      page = [];
      size = 0;
    }
    page.push(row);
    size += n;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** Runs f over xs with at most n in flight; results in the order of xs. */
async function pool<T, R>(xs: readonly T[], n: number, f: (x: T) => Promise<R>, progress: () => void): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i]!);
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, xs.length)) }, worker));
  return out;
}

export async function reconcile(o: ReconcileOptions): Promise<ReconcileReport> {
  const prefix = o.prefix ?? '';
  const concurrency = o.concurrency ?? 8;
  const report = (phase: ReconcileProgress['phase'], done: number) => o.onProgress?.({ phase, done });

  const crawlStart = await serverTime(o.redis);
  const bucketRows: CrawledObject[] = [];
  await crawl({
    client: o.s3,
    bucket: o.bucket,
    prefix,
    concurrency,
    onPage(rows) {
      bucketRows.push(...rows);
      report('bucket', bucketRows.length);
    },
  });
  bucketRows.sort((a, b) => compareKeys(a.key, b.key));
  const index = await indexRows(o, prefix, (n) => report('index', n));
  const unverifiedKeys = ((await o.redis(['S3IDX.UNVERIFIED', o.bucket])) as string[])
    .filter((k) => k.startsWith(prefix))
    .sort(compareKeys);
  const pending = new Set(unverifiedKeys);

  const settle = o.settleMs ?? RACE_MS;
  const raced = (r: Row) => r.lastModified >= crawlStart - settle;
  const missing: Row[] = [];
  const candidates: Row[] = [];
  const stale: StaleEntry[] = [];
  let skipped = 0;
  let i = 0;
  let j = 0;
  while (i < bucketRows.length || j < index.length) {
    const b = bucketRows[i];
    const x = index[j];
    const c = b === undefined ? 1 : x === undefined ? -1 : compareKeys(b.key, x.key);
    if (c < 0) {
      i++;
      if (pending.has(b!.key)) continue;
      if (raced(b!)) skipped++;
      else missing.push({ ...b!, storageClass: b!.storageClass || 'STANDARD' });
    } else if (c > 0) {
      j++;
      if (pending.has(x!.key)) continue;
      if (raced(x!)) skipped++;
      else candidates.push(x!);
    } else {
      i++;
      j++;
      if (pending.has(b!.key)) continue;
      if (b!.size === x!.size && b!.etag === x!.etag) continue;
      if (raced(b!) || raced(x!)) skipped++;
      else stale.push({ key: b!.key, index: x!, bucket: { ...b!, storageClass: b!.storageClass || 'STANDARD' } });
    }
  }

  // HeadObject before anything is said of the extra keys, or repaired
  const checkedAt = await serverTime(o.redis);
  let headed = 0;
  const heads = await pool(
    [...candidates.map((r) => r.key), ...unverifiedKeys],
    concurrency,
    (k) => headObject(o, k),
    () => {
      headed++;
      report('head', headed);
    },
  );
  const extra = candidates.filter((_, n) => !heads[n]!.present);
  const verifiedHeads = heads.slice(candidates.length);
  const verified = {
    present: verifiedHeads.filter((h) => h.present).length,
    absent: verifiedHeads.filter((h) => !h.present).length,
  };

  const repaired: RepairCounts = { applied: 0, stale: 0, duplicate: 0, ignored: 0, queued: 0 };
  if (o.repair) {
    const write = o.write ?? o.redis;
    let done = 0;
    const send = async (head: string[], rows: string[][]) => {
      for (const page of repairPages(rows, o.repairPageSize ?? 500, o.repairPageBytes ?? 192 * 1024)) {
        const reply = await write([...head, ...page.flat()]);
        if (reply === undefined) repaired.queued += page.length;
        else {
          const m = mapOf(reply);
          for (const k of ['applied', 'stale', 'duplicate', 'ignored'] as const) repaired[k] += Number(m[k] ?? 0);
        }
        done += page.length;
        report('repair', done);
      }
    };
    const listed = [...missing, ...stale.map((s) => s.bucket)].sort((a, b) => compareKeys(a.key, b.key));
    await send(
      ['S3IDX.BACKFILL', o.bucket, String(crawlStart)],
      listed.map((r) => [r.key, String(r.size), r.etag, String(r.lastModified), r.storageClass]),
    );
    const results: Array<[string, HeadResult]> = [
      ...extra.map((r): [string, HeadResult] => [r.key, { present: false }]),
      ...unverifiedKeys.map((k, n): [string, HeadResult] => [k, verifiedHeads[n]!]),
    ];
    await send(
      ['S3IDX.VERIFIED', o.bucket, String(checkedAt)],
      results.map(([key, h]) =>
        h.present
          ? [
              key,
              'PRESENT',
              String(h.row.size),
              h.row.etag,
              String(h.row.lastModified),
              h.row.storageClass,
              h.versionId,
            ]
          : [key, 'ABSENT'],
      ),
    );
  }

  return {
    bucket: o.bucket,
    prefix,
    crawlStart,
    checked: { bucket: bucketRows.length, index: index.length },
    missing,
    extra,
    stale,
    unverified: unverifiedKeys.length,
    verified,
    skipped,
    repaired,
  };
}
