/**
 * The backfill Lambda: indexes what a bucket already holds, for buckets too large for one invocation.
 *
 *   invoke with {"bucket": "B", "prefix": "P", "concurrency": 8}     a new crawl (prefix and concurrency optional)
 *   invoke with {"bucket": "B", "inventory": "s3://…/manifest.json"}  an S3 Inventory import instead of a crawl
 *     (src/backfill/inventory.ts; legs stop between pages, and the checkpoint keeps the data files left with the
 *     records each has delivered: the next leg reads such a file again from its start, checking its MD5, and skips
 *     those records)
 *   invoke with {"resume": "backfill/B/<id>.json", "leg": n}          leg n of a crawl (the function invokes itself)
 *
 * Each leg crawls (src/backfill/crawl.ts) until S3_INDEX_BACKFILL_RESERVE_MS (default 60 s) of its time limit is
 * left, then stops cleanly, writes the ranges still to list to a checkpoint in the snapshot store
 * (`backfill/<bucket>/<id>.json`; the compact function's garbage collection never touches `backfill/`) and invokes
 * the function again, asynchronously, with the checkpoint's name. The pages go to the ingest queue
 * (S3_INDEX_INGEST_QUEUE_URL) as backfill messages (./backfill-message.ts): the ingest function stays the one writer.
 *
 * Exactly one invocation runs each leg. Leg n claims the checkpoint with a conditional write (If-Match on the ETag it
 * read) only when leg n-1 ended there, or when an earlier attempt at leg n holds it and its lease (that attempt's
 * time limit) has run out: Lambda retries an asynchronous invocation that failed or timed out, and may deliver one
 * twice. A duplicate finds the claim taken (or the leg ended) and stops at once. A failed attempt leaves the
 * checkpoint as leg n-1 ended it: its retry crawls those ranges again, and a page sent twice is a harmless duplicate
 * for the index.
 *
 * The crawl's start is this function's clock less S3_INDEX_BACKFILL_SKEW_MS (default 1000): the merge rule compares
 * it with the times at which the ingest function stamped deletions, and an earlier start is the safe side (a
 * deletion counted as concurrent with the crawl keeps a row from resurrecting the key).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { type CrawlRange, crawl } from '../backfill/crawl';
import {
  type InventoryFileState,
  importInventory,
  parseInventoryManifest,
  parseManifestUri,
} from '../backfill/inventory';
import { type BlobStore, PreconditionFailed } from '../persistence/blob-store';
import { backfillMessages } from './backfill-message';
import { sendMessages } from './queue';
import { blobStore, logger, metrics, sourceS3Client } from './runtime';

export interface Checkpoint {
  version: 1;
  id: string;
  bucket: string;
  prefix: string;
  concurrency: number;
  crawlStart: number;
  startedAt: number;
  /** the last leg that claimed it */
  legs: number;
  /** that leg ended and wrote what it left (false while it runs, or after it failed) */
  ended: boolean;
  /** while it runs: its time limit (ms since the epoch), after which a retry may take over */
  leaseUntil: number;
  /** the request id of that leg */
  owner: string;
  objects: number;
  pages: number;
  messages: number;
  retries: number;
  remaining: CrawlRange[];
  /** an S3 Inventory import instead of a crawl: its manifest, and the data files left (null: all of them) */
  inventory?: { manifest: string; files: InventoryFileState[] | null };
  done: boolean;
  finishedAt?: number;
}

export type BackfillEvent =
  | { bucket: string; prefix?: string; concurrency?: number; inventory?: string }
  | { resume: string; leg: number };

export interface BackfillResult {
  checkpoint: string;
  done: boolean;
  objects: number;
  pages: number;
  /** this leg's objects */
  legObjects: number;
  /** another leg holds the checkpoint (a duplicate invocation): nothing was done */
  superseded?: boolean;
}

interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

/** What the function sends and invokes through: the real SDK clients; a test may point them elsewhere. */
export interface Senders {
  sendMessages(queueUrl: string, bodies: string[]): Promise<void>;
  invokeSelf(functionName: string, payload: BackfillEvent): Promise<void>;
}

const CHECKPOINT_PREFIX = 'backfill/';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** The SDK clients (SQS SendMessageBatch through ./queue.ts, an asynchronous Lambda Invoke). */
export const awsSenders: Senders = {
  sendMessages,
  async invokeSelf(functionName, payload) {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    lambdaClient ??= new LambdaClient({});
    const lambda = lambdaClient;
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
  },
};
let lambdaClient: import('@aws-sdk/client-lambda').LambdaClient | undefined;

let senders: Senders = awsSenders;
/** Tests: where messages and the next invocation go. */
export function useSenders(s: Senders): void {
  senders = s;
}

export async function handler(event: BackfillEvent, context: LambdaContext = {}): Promise<BackfillResult> {
  const store = await blobStore();
  if (store === undefined) throw new Error('S3_INDEX_STORE is not set: the backfill keeps its checkpoint there');
  const queueUrl = process.env.S3_INDEX_INGEST_QUEUE_URL;
  if (queueUrl === undefined || queueUrl === '') throw new Error('S3_INDEX_INGEST_QUEUE_URL is not set');
  const requestId = context.awsRequestId ?? `local-${process.pid}-${Date.now()}`;

  const deadline = Date.now() + (context.getRemainingTimeInMillis?.() ?? 15 * 60_000);
  const claimed =
    'resume' in event
      ? await claim(store, event.resume, event.leg, requestId, deadline)
      : await begin(store, event, requestId, deadline);
  if (claimed === undefined) {
    logger.warn('backfill checkpoint claimed by another invocation: nothing to do', { event });
    const checkpoint = 'resume' in event ? event.resume : '';
    return { checkpoint, done: false, objects: 0, pages: 0, legObjects: 0, superseded: true };
  }
  let { cp } = claimed;
  const { etag } = claimed;
  const name = checkpointName(cp);
  if (cp.done) return { checkpoint: name, done: true, objects: cp.objects, pages: cp.pages, legObjects: 0 };

  const reserveMs = envMs('S3_INDEX_BACKFILL_RESERVE_MS', 60_000);
  const stop = new AbortController();
  const left = context.getRemainingTimeInMillis?.();
  const timer = left === undefined ? undefined : setTimeout(() => stop.abort(), Math.max(0, left - reserveMs));
  let messages = 0;
  let pages = 0;
  const onPage = async (rows: import('../backfill/crawl').CrawledObject[]) => {
    const bodies = backfillMessages(cp.bucket, cp.crawlStart, rows);
    await senders.sendMessages(queueUrl, bodies);
    messages += bodies.length;
    pages++;
  };
  let result: { objects: number; retries: number; remaining: CrawlRange[]; files?: InventoryFileState[] };
  try {
    if (cp.inventory !== undefined) {
      const inv = await importInventory({
        client: sourceS3Client(),
        manifest: parseManifestUri(cp.inventory.manifest),
        prefix: cp.prefix,
        concurrency: Math.min(cp.concurrency, 16),
        resume: cp.inventory.files ?? undefined,
        stop: stop.signal,
        onPage,
      });
      result = { objects: inv.objects, retries: inv.retries, remaining: [], files: inv.remaining };
    } else
      result = await crawl({
        client: sourceS3Client(),
        bucket: cp.bucket,
        prefix: cp.prefix,
        concurrency: cp.concurrency,
        resume: cp.remaining,
        stop: stop.signal,
        onPage,
      });
  } catch (err) {
    // give the leg back at once (its retry may take over before this attempt's time limit), then fail
    await store
      .put(name, Buffer.from(JSON.stringify({ ...cp, leaseUntil: 0 })), { ifMatch: etag })
      .catch(() => undefined);
    logger.error('backfill leg failed: Lambda retries it', { checkpoint: name, error: (err as Error).message });
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  const done = result.files !== undefined ? result.files.length === 0 : result.remaining.length === 0;
  cp = {
    ...cp,
    objects: cp.objects + result.objects,
    pages: cp.pages + pages,
    messages: cp.messages + messages,
    retries: cp.retries + result.retries,
    remaining: result.remaining,
    ...(cp.inventory !== undefined ? { inventory: { manifest: cp.inventory.manifest, files: result.files! } } : {}),
    done,
    ended: true,
    leaseUntil: 0,
  };
  if (done) cp.finishedAt = Date.now();
  // If-Match: a leg that lost its claim meanwhile (it ran past its time and was retried) must not write over
  await store.put(name, Buffer.from(JSON.stringify(cp)), { ifMatch: etag });
  metrics.addMetric('BackfillObjects', MetricUnit.Count, result.objects);
  metrics.addMetric('BackfillRetries', MetricUnit.Count, result.retries);
  metrics.publishStoredMetrics();
  logger.info(done ? 'backfill finished' : 'backfill leg ended: next leg invoked', {
    checkpoint: name,
    legObjects: result.objects,
    objects: cp.objects,
    pages: cp.pages,
    ranges: result.files?.length ?? result.remaining.length,
    legs: cp.legs,
  });
  if (!done) {
    const fn = context.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
    if (fn === undefined) throw new Error('no function name to invoke the next leg with');
    await senders.invokeSelf(fn, { resume: name, leg: cp.legs + 1 });
  }
  return { checkpoint: name, done, objects: cp.objects, pages: cp.pages, legObjects: result.objects };
}

function checkpointName(cp: Pick<Checkpoint, 'bucket' | 'id'>): string {
  return `${CHECKPOINT_PREFIX}${cp.bucket}/${cp.id}.json`;
}

/** A new crawl's checkpoint, written before the first request (so a failed first leg can be resumed by name). */
async function begin(
  store: BlobStore,
  event: { bucket?: unknown; prefix?: unknown; concurrency?: unknown; inventory?: unknown },
  owner: string,
  deadline: number,
): Promise<{ cp: Checkpoint; etag: string }> {
  const bucket = event.bucket;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket))
    throw new Error(`backfill needs {"bucket": NAME} (got ${JSON.stringify(bucket)})`);
  const prefix = event.prefix ?? '';
  if (typeof prefix !== 'string') throw new Error('prefix must be a string');
  const concurrency = event.concurrency ?? 8;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new Error('concurrency must be an integer 1-64');
  const now = Date.now();
  let crawlStart = now - envMs('S3_INDEX_BACKFILL_SKEW_MS', 1000);
  let inventory: Checkpoint['inventory'];
  if (event.inventory !== undefined) {
    // an S3 Inventory: its manifest read now (a wrong name, another bucket's inventory: nothing written); its rows
    // date from its creationTimestamp, the "crawl start" of the merge rule
    if (typeof event.inventory !== 'string') throw new Error('inventory must be s3://BUCKET/…/manifest.json');
    const where = parseManifestUri(event.inventory);
    const got = await sourceS3Client().send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
    const manifest = parseInventoryManifest(await got.Body!.transformToString('utf8'), event.inventory);
    if (manifest.sourceBucket !== bucket)
      throw new Error(`${event.inventory} is an inventory of ${manifest.sourceBucket}, not of ${bucket}`);
    crawlStart = manifest.createdAt;
    inventory = { manifest: event.inventory, files: null };
  } else {
    // fail before writing anything when the bucket cannot be listed (a wrong name, a missing permission)
    await sourceS3Client().send(new HeadBucketCommand({ Bucket: bucket }));
  }
  const cp: Checkpoint = {
    version: 1,
    id: `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${Math.random().toString(36).slice(2, 8)}`,
    bucket,
    prefix,
    concurrency,
    crawlStart,
    startedAt: now,
    legs: 1,
    ended: false,
    leaseUntil: deadline,
    owner,
    objects: 0,
    pages: 0,
    messages: 0,
    retries: 0,
    remaining: inventory !== undefined ? [] : [{ prefix, depth: 0 }],
    ...(inventory !== undefined ? { inventory } : {}),
    done: false,
  };
  const etag = await store.put(checkpointName(cp), Buffer.from(JSON.stringify(cp)), { ifNoneMatch: '*' });
  return { cp, etag };
}

/** Claims a checkpoint for leg `leg`; undefined when that leg runs (or ran) elsewhere. */
async function claim(
  store: BlobStore,
  name: unknown,
  leg: unknown,
  owner: string,
  deadline: number,
): Promise<{ cp: Checkpoint; etag: string } | undefined> {
  if (typeof leg !== 'number' || !Number.isInteger(leg) || leg < 2) throw new Error('resume needs "leg": 2 or more');
  if (typeof name !== 'string' || !name.startsWith(CHECKPOINT_PREFIX) || !name.endsWith('.json'))
    throw new Error(`not a backfill checkpoint: ${JSON.stringify(name)}`);
  const got = await store.get(name);
  if (got === undefined || got === 'not-modified') throw new Error(`no backfill checkpoint ${name}`);
  const cp = JSON.parse(got.body.toString('utf8')) as Checkpoint;
  if (cp.version !== 1) throw new Error(`${name}: unknown checkpoint version ${cp.version}`);
  if (cp.done) return { cp, etag: got.etag };
  const follows = cp.legs === leg - 1 && cp.ended;
  // an earlier attempt at this leg failed or timed out (its lease is over): Lambda's retry takes over
  const retries = cp.legs === leg && !cp.ended && cp.leaseUntil <= Date.now();
  if (!follows && !retries) return undefined;
  const next: Checkpoint = { ...cp, legs: leg, ended: false, leaseUntil: deadline, owner };
  try {
    const etag = await store.put(name, Buffer.from(JSON.stringify(next)), { ifMatch: got.etag });
    return { cp: next, etag };
  } catch (err) {
    if (err instanceof PreconditionFailed || (err as Error).name === 'PreconditionFailed') return undefined;
    throw err;
  }
}
