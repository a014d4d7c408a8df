/**
 * The scheduled reconcile Lambda in-process: the index in a real file store (built by the ingest handler from a
 * backfill page), the bucket a real s3rver, the repairs through the real SQS client to a local stand-in of SQS
 * (test/helpers/fake-sqs-lambda.ts). Drift is injected behind the index's back (objects put, overwritten and deleted
 * with no event); the function must count it, publish it as metrics, queue repairs that the ingest handler applies,
 * and find nothing on its next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { backfillMessages } from '../../src/handlers/backfill-message';
import { type FakeSqsLambda, startFakeSqsLambda } from '../helpers/fake-sqs-lambda';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

type Reconcile = typeof import('../../src/handlers/reconcile');
type Ingest = typeof import('../../src/handlers/ingest');
type Runtime = typeof import('../../src/handlers/runtime');

const BUCKET = 'reconciled-bucket';
const OTHER = 'other-bucket';
let s3: TestS3;
let fake: FakeSqsLambda;
let storeDir: string;
const saved = { ...process.env };
const logged: string[] = [];

const keys = Array.from({ length: 240 }, (_, i) => {
  // s3rver's paged listings skip keys with ' ' or '+' in the first path segment, and its delimiter listings omit a
  // folder holding only folders (real S3 does neither): none of those here
  const folders = ['a/', 'a/b c/', 'a/plus+dir/', 'ünï/', 'a/b c/d/', ''];
  return `${folders[i % folders.length]}${['f', 'x y', 'a+b', '日本'][i % 4]}-${String(i).padStart(4, '0')}`;
});

async function put(bucket: string, key: string, body: string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
}

function fresh<T>(file: string): T {
  let mod: T | undefined;
  jest.isolateModules(() => {
    mod = require(file);
  });
  return mod!;
}

/** Bodies fed to a fresh ingest container, ten to an SQS batch; every record must be accepted. */
async function ingest(bodies: string[]): Promise<void> {
  const handler = fresh<Ingest>('../../src/handlers/ingest').handler;
  for (let i = 0; i < bodies.length; i += 10) {
    const Records = bodies.slice(i, i + 10).map((body, j) => ({ messageId: `m${i + j}`, body }));
    expect(await handler({ Records })).toEqual({ batchItemFailures: [] });
  }
}

/** What the index says of each key of the bucket (size, etag), from a fresh container. */
async function indexed(bucket: string): Promise<Map<string, string>> {
  const rt = await fresh<Runtime>('../../src/handlers/runtime').runtime();
  const got = new Map<string, string>();
  for (const page of rt.index.listAll(bucket)) for (const o of page.contents) got.set(o.key, `${o.size} ${o.etag}`);
  await rt.persistence?.close({ snapshot: false });
  return got;
}

/** What the bucket holds (size, etag). */
async function listed(bucket: string): Promise<Map<string, string>> {
  const { crawl } = await import('../../src/backfill/crawl');
  const got = new Map<string, string>();
  await crawl({
    client: s3.client,
    bucket,
    onPage(rows) {
      for (const r of rows) got.set(r.key, `${r.size} ${r.etag}`);
    },
  });
  return got;
}

/** The EMF documents the function printed since `from` (Powertools Metrics with POWERTOOLS_DEV: console.log). */
function emf(from: number): Array<Record<string, unknown>> {
  return logged
    .slice(from)
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((d): d is Record<string, unknown> => d !== undefined && '_aws' in d);
}

beforeAll(async () => {
  s3 = await startS3rver([BUCKET, OTHER], 'reconcile-fn');
  fake = await startFakeSqsLambda();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-reconcile-store-'));
  Object.assign(process.env, {
    ...s3.env,
    S3_INDEX_STORE: `file:${storeDir}`,
    S3_INDEX_INGEST_QUEUE_URL: fake.queueUrl,
    S3_INDEX_RECONCILE_BUCKETS: `${BUCKET},${OTHER}`,
    // the drift below is written just before each run: none of it is "too recent to tell"
    S3_INDEX_RECONCILE_SETTLE_MS: '0',
    S3_INDEX_REFRESH_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'S3IndexTest',
  });
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logged.push(String(line));
  });
  for (let i = 0; i < keys.length; i += 24)
    await Promise.all(keys.slice(i, i + 24).map((k, j) => put(BUCKET, k, 'x'.repeat((i + j) % 50))));
  await put(OTHER, 'only/one', 'one');
  // the index starts as the bucket: one backfill page of each bucket through the ingest handler
  const { crawl } = await import('../../src/backfill/crawl');
  const bodies: string[] = [];
  for (const b of [BUCKET, OTHER])
    await crawl({
      client: s3.client,
      bucket: b,
      onPage(rows) {
        bodies.push(...backfillMessages(b, Date.now() - 1000, rows));
      },
    });
  await ingest(bodies);
  expect(await indexed(BUCKET)).toEqual(await listed(BUCKET));
}, 120_000);

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await fake?.close();
  await s3?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

test('a scheduled run counts the drift of every indexed bucket, publishes it, queues repairs; the next run finds none', async () => {
  const reconcile = fresh<Reconcile>('../../src/handlers/reconcile');
  // nothing to find at first: no message sent
  fake.messages.length = 0;
  let mark = logged.length;
  const clean = await reconcile.handler({});
  expect(clean.drift).toBe(0);
  expect(clean.buckets.map((b) => [b.bucket, b.checked, b.drift])).toEqual([
    [BUCKET, keys.length, 0],
    [OTHER, 1, 0],
  ]);
  expect(fake.messages).toEqual([]);
  expect(emf(mark)).toHaveLength(1);
  expect(emf(mark)[0]).toMatchObject({ ReconcileDrift: 0, ReconcileChecked: keys.length + 1, service: 's3-index' });

  // behind the index's back: 7 objects added, 4 overwritten with other content, 5 deleted (one in the other bucket)
  const added = ['new/a', 'new/b c', 'new/+', 'a/ünï-new', 'zzz', '0first', 'a/b c/late'];
  for (const k of added) await put(BUCKET, k, `added ${k}`);
  const overwritten = [keys[3]!, keys[50]!, keys[101]!, keys[200]!];
  for (const k of overwritten) await put(BUCKET, k, `other content of ${k}`);
  const deleted = [keys[7]!, keys[8]!, keys[120]!, keys[239]!];
  for (const k of deleted) await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: k }));
  await s3.client.send(new DeleteObjectCommand({ Bucket: OTHER, Key: 'only/one' }));

  fake.messages.length = 0;
  mark = logged.length;
  const found = await reconcile.handler({});
  expect(found.buckets[0]).toMatchObject({ bucket: BUCKET, missing: 7, stale: 4, extra: 4, unverified: 0, drift: 15 });
  expect(found.buckets[1]).toMatchObject({ bucket: OTHER, extra: 1, drift: 1 });
  expect(found.drift).toBe(16);
  // every drifted row queued: BACKFILL rows for missing and stale, VERIFIED ABSENT for extra
  expect(found.buckets.map((b) => b.queued)).toEqual([15, 1]);
  const commands = fake.messages.map((m) => JSON.parse(m) as { source: string; argv: string[] });
  expect(new Set(commands.map((c) => c.source))).toEqual(new Set(['s3-index.repair']));
  const backfilled = commands
    .filter((c) => c.argv[0] === 'S3IDX.BACKFILL')
    .flatMap((c) => {
      const rows: string[] = [];
      for (let i = 3; i < c.argv.length; i += 5) rows.push(c.argv[i]!);
      return rows;
    });
  expect(backfilled.sort()).toEqual([...added, ...overwritten].sort());
  const absent = commands.filter((c) => c.argv[0] === 'S3IDX.VERIFIED').flatMap((c) => c.argv.slice(3));
  expect(absent.filter((a) => a !== 'ABSENT').sort()).toEqual([...deleted, 'only/one'].sort());
  const docs = emf(mark);
  expect(docs).toHaveLength(1);
  expect(docs[0]).toMatchObject({
    ReconcileDrift: 16,
    ReconcileMissing: 7,
    ReconcileExtra: 5,
    ReconcileStale: 4,
    ReconcileUnverified: 0,
    ReconcileRepairQueued: 16,
    ReconcileFailures: 0,
  });
  const names = (docs[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: { Name: string }[] }> })
    .CloudWatchMetrics[0]!;
  expect(names.Namespace).toBe('S3IndexTest');

  // the ingest function applies the queued repairs: the index is the bucket again, and a new run finds nothing
  await ingest(fake.messages.splice(0));
  expect(await indexed(BUCKET)).toEqual(await listed(BUCKET));
  expect((await indexed(OTHER)).size).toBe(0);
  const after = await reconcile.handler({});
  expect(after.drift).toBe(0);
  expect(fake.messages).toEqual([]);
}, 120_000);

test('one bucket on request, repair off: drift reported, nothing queued; a settle window hides recent writes', async () => {
  const reconcile = fresh<Reconcile>('../../src/handlers/reconcile');
  await put(BUCKET, 'report/only', 'x');
  fake.messages.length = 0;
  const r = await reconcile.handler({ bucket: BUCKET, prefix: 'report/', repair: false });
  expect(r.buckets).toEqual([expect.objectContaining({ bucket: BUCKET, prefix: 'report/', missing: 1, queued: 0 })]);
  expect(fake.messages).toEqual([]);
  // with the default settle window (5 minutes) a write that recent may still be on its way: not drift
  process.env.S3_INDEX_RECONCILE_SETTLE_MS = '';
  try {
    const settled = await reconcile.handler({ bucket: BUCKET, prefix: 'report/' });
    expect(settled.buckets[0]).toMatchObject({ missing: 0, skipped: 1, drift: 0 });
    expect(fake.messages).toEqual([]);
  } finally {
    process.env.S3_INDEX_RECONCILE_SETTLE_MS = '0';
  }
  await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'report/only' }));
}, 60_000);

test('a bucket that cannot be listed fails the invocation after the others ran, and counts as a failure', async () => {
  const reconcile = fresh<Reconcile>('../../src/handlers/reconcile');
  process.env.S3_INDEX_RECONCILE_BUCKETS = `no-such-bucket,${BUCKET}`;
  const mark = logged.length;
  try {
    await expect(reconcile.handler({ repair: false })).rejects.toThrow(/no-such-bucket/);
  } finally {
    process.env.S3_INDEX_RECONCILE_BUCKETS = `${BUCKET},${OTHER}`;
  }
  expect(emf(mark)[0]).toMatchObject({ ReconcileFailures: 1, ReconcileChecked: keys.length + 7 - 4 });
  // no bucket at all is a configuration error
  process.env.S3_INDEX_RECONCILE_BUCKETS = '';
  try {
    await expect(reconcile.handler({})).rejects.toThrow(/no bucket to reconcile/);
  } finally {
    process.env.S3_INDEX_RECONCILE_BUCKETS = `${BUCKET},${OTHER}`;
  }
}, 60_000);
