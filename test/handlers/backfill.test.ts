/**
 * The backfill Lambda in-process: its crawl lists a real s3rver bucket, its pages go through the real SQS client to a
 * local stand-in of SQS, the next leg through the real Lambda client to a stand-in of Lambda (test/helpers/
 * fake-sqs-lambda.ts: neither service runs here), its checkpoint into a real file store. The messages it sent are
 * then fed to the ingest handler as SQS batches, and the index must hold exactly the bucket.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { BackfillEvent, Checkpoint } from '../../src/handlers/backfill';
import { buildInventory, CURRENT_SCHEMA, putInventory, rowOf, split } from '../backfill/inventory-fixtures';
import { type FakeSqsLambda, startFakeSqsLambda } from '../helpers/fake-sqs-lambda';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

type Backfill = typeof import('../../src/handlers/backfill');
type Ingest = typeof import('../../src/handlers/ingest');
type Runtime = typeof import('../../src/handlers/runtime');

const BUCKET = 'source-bucket';
const INVENTORIES = 'inventories';
let s3: TestS3;
let fake: FakeSqsLambda;
let storeDir: string;
const saved = { ...process.env };
const objects = new Map<string, { size: number }>();

function keyOf(i: number): string {
  // every folder holds a file of its own: s3rver omits a CommonPrefix whose folder holds only folders (real S3 does not)
  const folders = [
    ...['photos/', 'photos/2024/', 'photos/2025/', 'photos/2025/raw/', 'logs/', 'logs/a+b/', 'docs/'],
    ...['docs/with space/', '日本語/', '日本語/フォルダ/', 'emoji/', 'emoji/😀/', ''],
  ];
  const names = ['file', 'a+b', 'x y', 'ünï', 'q=1&r', '%41'];
  return `${folders[i % folders.length]}${names[i % names.length]}-${String(i).padStart(5, '0')}.bin`;
}

beforeAll(async () => {
  s3 = await startS3rver([BUCKET, INVENTORIES], 'backfill-fn');
  fake = await startFakeSqsLambda();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-backfill-store-'));
  Object.assign(process.env, {
    ...s3.env,
    S3_INDEX_STORE: `file:${storeDir}`,
    S3_INDEX_INGEST_QUEUE_URL: fake.queueUrl,
    AWS_ENDPOINT_URL_LAMBDA: fake.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 's3-index-test-backfill',
    S3_INDEX_BACKFILL_RESERVE_MS: '0',
    S3_INDEX_REFRESH_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const n = 2400;
  for (let i = 0; i < n; i += 24) {
    await Promise.all(
      Array.from({ length: 24 }, (_, j) => {
        const key = keyOf(i + j);
        const body = Buffer.alloc((i + j) % 97, 'x');
        objects.set(key, { size: body.length });
        return s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await fake?.close();
  await s3?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

function fresh<T>(file: string): T {
  let mod: T | undefined;
  jest.isolateModules(() => {
    mod = require(file);
  });
  return mod!;
}

/** A Lambda context whose time runs out `budgetMs` after it is made. */
function context(budgetMs: number, requestId: string) {
  const end = Date.now() + budgetMs;
  return {
    awsRequestId: requestId,
    functionName: 's3-index-test-backfill',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
  };
}

async function readCheckpoint(name: string): Promise<Checkpoint> {
  return JSON.parse(fs.readFileSync(path.join(storeDir, name), 'utf8')) as Checkpoint;
}

/** Every message sent so far, fed to a fresh ingest container in SQS batches of ten; the index's keys after. */
async function ingestAll(): Promise<Map<string, number>> {
  const ingest = fresh<Ingest>('../../src/handlers/ingest');
  for (let i = 0; i < fake.messages.length; i += 10) {
    const Records = fake.messages.slice(i, i + 10).map((body, j) => ({ messageId: `m${i + j}`, body }));
    const out = await ingest.handler({ Records });
    expect(out.batchItemFailures).toEqual([]);
  }
  const rt = await fresh<Runtime>('../../src/handlers/runtime').runtime();
  const got = new Map<string, number>();
  for (const page of rt.index.listAll(BUCKET)) for (const o of page.contents) got.set(o.key, o.size);
  await rt.persistence?.close({ snapshot: false });
  return got;
}

test('legs of a small time budget each: checkpointed, the next leg invoked, the index ends exactly the bucket', async () => {
  const backfill = fresh<Backfill>('../../src/handlers/backfill');
  fake.messages.length = 0;
  fake.invocations.length = 0;
  // one entry of a batch failed by SQS, then a whole request: both retried
  fake.failEntries = 1;
  fake.failRequests = 1;
  let result = await backfill.handler({ bucket: BUCKET, concurrency: 1 }, context(15, 'leg-1'));
  let legs = 1;
  while (!result.done) {
    const inv = fake.invocations.at(-1)!;
    expect(inv).toMatchObject({ functionName: 's3-index-test-backfill', type: 'Event' });
    const payload = inv.payload as BackfillEvent & { leg: number };
    expect(payload).toEqual({ resume: result.checkpoint, leg: legs + 1 });
    const cp = await readCheckpoint(result.checkpoint);
    expect(cp).toMatchObject({ ended: true, legs, done: false });
    expect(cp.remaining.length).toBeGreaterThan(0);
    legs++;
    expect(legs).toBeLessThan(500);
    result = await backfill.handler(payload, context(15, `leg-${legs}`));
  }
  expect(legs).toBeGreaterThan(2);
  expect(fake.invocations).toHaveLength(legs - 1);
  expect(result.objects).toBe(objects.size);
  const cp = await readCheckpoint(result.checkpoint);
  expect(cp).toMatchObject({ done: true, remaining: [], objects: objects.size, bucket: BUCKET, prefix: '' });
  expect(cp.crawlStart).toBeLessThanOrEqual(cp.startedAt - 1000);
  // every message within SQS's limits
  for (const m of fake.messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(24 * 1024);

  const got = await ingestAll();
  expect(got.size).toBe(objects.size);
  for (const [key, o] of objects) expect([key, got.get(key)]).toEqual([key, o.size]);
}, 120_000);

test('a duplicate or late invocation of a leg does nothing; a failed leg is taken over by its retry', async () => {
  const backfill = fresh<Backfill>('../../src/handlers/backfill');
  fake.messages.length = 0;
  fake.invocations.length = 0;
  const first = await backfill.handler({ bucket: BUCKET, prefix: 'photos/', concurrency: 1 }, context(10, 'dup-1'));
  expect(first.done).toBe(false);
  const next = fake.invocations.at(-1)!.payload as BackfillEvent;

  // two deliveries of leg 2 at once: one runs, the other finds it claimed
  const [a, b] = await Promise.all([
    backfill.handler(next, context(10, 'dup-2a')),
    backfill.handler(next, context(10, 'dup-2b')),
  ]);
  expect([a.superseded ?? false, b.superseded ?? false].sort()).toEqual([false, true]);
  // a late duplicate of leg 2 after it ended
  const sent = fake.messages.length;
  expect(await backfill.handler(next, context(60, 'dup-2c'))).toMatchObject({ superseded: true, legObjects: 0 });
  expect(fake.messages.length).toBe(sent);

  // leg 3 fails (SQS answers 500 to every request, past the SDK's own retries): the checkpoint is given back
  const leg3 = fake.invocations.at(-1)!.payload as BackfillEvent;
  expect(leg3).toMatchObject({ leg: 3 });
  fake.failRequests = 1000;
  await expect(backfill.handler(leg3, context(5_000, 'fail-3'))).rejects.toThrow();
  fake.failRequests = 0;
  const cp = await readCheckpoint(first.checkpoint);
  expect(cp).toMatchObject({ legs: 3, ended: false, leaseUntil: 0 });
  // Lambda's retry of leg 3 takes over and the crawl goes on to the end
  let result = await backfill.handler(leg3, context(60_000, 'fail-3'));
  expect(result.superseded).toBeUndefined();
  expect(result.done).toBe(true);
  // a leg asked of a finished crawl answers done
  expect(await backfill.handler(leg3, context(60, 'late'))).toMatchObject({ done: true, legObjects: 0 });
  result = await backfill.handler({ resume: first.checkpoint, leg: 9 }, context(60, 'late-2'));
  expect(result.done).toBe(true);

  // every key under the prefix sent (the failed leg's pages again by its retry), none outside it
  const want = [...objects.keys()].filter((k) => k.startsWith('photos/')).sort();
  const sentKeys = new Set(fake.messages.flatMap((m) => (JSON.parse(m).rows as string[][]).map((r) => r[0]!)));
  expect([...sentKeys].sort()).toEqual(want);
  expect(result.objects).toBe(want.length);
}, 120_000);

test('an S3 Inventory import in legs: files left and records done checkpointed, every row sent once', async () => {
  const backfill = fresh<Backfill>('../../src/handlers/backfill');
  fake.messages.length = 0;
  fake.invocations.length = 0;
  // rows that differ from what the index holds (sizes + 1000, written after the objects were put) show the index
  // took them from the inventory
  const keys = [...objects.keys()].sort();
  const createdAt = Date.now();
  const rows = keys.map((key, i) =>
    rowOf(BUCKET, {
      key,
      size: objects.get(key)!.size + 1000,
      etag: `e${i}`,
      lastModified: createdAt - 1,
      storageClass: 'STANDARD',
    }),
  );
  const inv = buildInventory({
    sourceBucket: BUCKET,
    destinationBucket: INVENTORIES,
    base: `inv/${BUCKET}/daily`,
    schema: CURRENT_SCHEMA,
    files: split(rows, [700, 900, 300]),
    createdAt,
  });
  await putInventory(s3.client, INVENTORIES, inv);
  const manifest = `s3://${INVENTORIES}/${inv.manifestKey}`;

  let result = await backfill.handler({ bucket: BUCKET, inventory: manifest, concurrency: 2 }, context(20, 'inv-1'));
  const first = await readCheckpoint(result.checkpoint);
  expect(first.crawlStart).toBe(createdAt);
  let legs = 1;
  while (!result.done) {
    const cp = await readCheckpoint(result.checkpoint);
    expect(cp.inventory!.manifest).toBe(manifest);
    expect(cp.inventory!.files!.length).toBeGreaterThan(0);
    legs++;
    expect(legs).toBeLessThan(500);
    result = await backfill.handler(fake.invocations.at(-1)!.payload as BackfillEvent, context(20, `inv-${legs}`));
  }
  expect(legs).toBeGreaterThan(2);
  // some leg stopped inside a file: a later leg read it again and skipped what was sent
  const sent = fake.messages.flatMap((m) => (JSON.parse(m) as { rows: Array<[string, number]> }).rows);
  expect(sent.map((r) => r[0]).sort()).toEqual(keys);
  expect(result.objects).toBe(keys.length);
  for (const m of fake.messages) expect(JSON.parse(m)).toMatchObject({ crawlStart: createdAt });

  const got = await ingestAll();
  for (const key of keys) expect([key, got.get(key)]).toEqual([key, objects.get(key)!.size + 1000]);

  // another bucket's inventory is refused before anything is written
  await expect(
    backfill.handler({ bucket: 'other-bucket', inventory: manifest }, context(1000, 'inv-bad')),
  ).rejects.toThrow(/inventory of source-bucket, not of other-bucket/);
}, 120_000);

test('bad requests fail before anything is written', async () => {
  const backfill = fresh<Backfill>('../../src/handlers/backfill');
  const before = fs.readdirSync(storeDir, { recursive: true }).length;
  await expect(backfill.handler({ bucket: 'No_Such' }, context(1000, 'bad-1'))).rejects.toThrow(/bucket/);
  await expect(backfill.handler({ bucket: 'missing-bucket' }, context(1000, 'bad-2'))).rejects.toThrow();
  await expect(backfill.handler({ bucket: BUCKET, concurrency: 0 }, context(1000, 'bad-3'))).rejects.toThrow(
    /concurrency/,
  );
  await expect(backfill.handler({ resume: '../etc/passwd', leg: 2 }, context(1000, 'bad-4'))).rejects.toThrow(
    /checkpoint/,
  );
  await expect(backfill.handler({ resume: 'backfill/x/none.json', leg: 2 }, context(1000, 'bad-5'))).rejects.toThrow(
    /no backfill checkpoint/,
  );
  expect(fs.readdirSync(storeDir, { recursive: true }).length).toBe(before);
});

test('backfill messages: split under the size limit, rows in order; malformed ones are poison for the ingest function', async () => {
  const { backfillMessages } =
    require('../../src/handlers/backfill-message') as typeof import('../../src/handlers/backfill-message');
  const rows = Array.from({ length: 500 }, (_, i) => ({
    key: `k/${'é'.repeat(i % 40)}${i}`,
    size: i,
    etag: 'e'.repeat(32),
    lastModified: 1_700_000_000_000 + i,
    storageClass: i % 2 ? 'GLACIER' : '',
  }));
  const big = { ...rows[0]!, key: 'x'.repeat(1024) };
  const bodies = backfillMessages('b1', 42, [...rows, big], 4096);
  expect(bodies.length).toBeGreaterThan(10);
  for (const b of bodies.slice(0, -1)) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(4096);
  const back = bodies.flatMap((b) => JSON.parse(b).rows as unknown[][]);
  expect(back.map((r) => r[0])).toEqual([...rows, big].map((r) => r.key));
  expect(back[0]).toEqual([rows[0]!.key, 0, rows[0]!.etag, rows[0]!.lastModified, 'STANDARD']);
  expect(JSON.parse(bodies[0]!)).toMatchObject({ source: 's3-index.backfill', bucket: 'b1', crawlStart: 42 });

  const ingest = fresh<Ingest>('../../src/handlers/ingest');
  const bad = (body: unknown, messageId: string) => ({ messageId, body: JSON.stringify(body) });
  const good = JSON.parse(backfillMessages('poison-test', 1, rows.slice(0, 3))[0]!);
  const out = await ingest.handler({
    Records: [
      bad({ ...good, crawlStart: -1 }, 'p1'),
      bad({ ...good, rows: [['k', 'not a number', 'e', 1, 'STANDARD']] }, 'p2'),
      bad({ ...good, rows: [['k', 1, '', 1, 'STANDARD']] }, 'p3'),
      bad(good, 'ok'),
    ],
  });
  expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['p1', 'p2', 'p3']);
  const rt = await fresh<Runtime>('../../src/handlers/runtime').runtime();
  expect([...rt.index.listAll('poison-test')].flatMap((p) => p.contents.map((o) => o.key))).toEqual(
    rows.slice(0, 3).map((r) => r.key),
  );
  await rt.persistence?.close({ snapshot: false });
});
