/**
 * The Lambda handlers in-process against s3rver as the store (S3_INDEX_STORE, AWS_ENDPOINT_URL_S3; s3rver has no
 * conditional writes, so the store runs unfenced). Each handler module is loaded in a fresh module instance
 * (jest.isolateModules): a new container, with nothing but the store in common.
 */
import fs from 'node:fs';
import { apiGatewayEvent } from '../helpers/lambda-container';
import { startS3rver, type TestS3 } from '../helpers/s3rver';

type Ingest = typeof import('../../src/handlers/ingest');
type Http = typeof import('../../src/handlers/http');
type Compact = typeof import('../../src/handlers/compact');

let s3: TestS3 | undefined;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver(['snapshots'], 'handlers');
  Object.assign(process.env, {
    ...s3.env,
    S3_INDEX_STORE: 's3://snapshots/index',
    S3_INDEX_API_TOKENS: 'rw:handlers-test-token-0123',
    S3_INDEX_REFRESH_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterAll(async () => {
  process.env = saved;
  await s3?.close();
});

function fresh<T>(file: string): T {
  let mod: T | undefined;
  jest.isolateModules(() => {
    mod = require(file);
  });
  return mod!;
}

function apiEvent(method: string, rawPath: string, rawQueryString = '', body?: string) {
  return apiGatewayEvent(method, rawPath, {
    query: rawQueryString,
    body,
    headers: { authorization: 'Bearer handlers-test-token-0123' },
  }) as never;
}

async function keysOf(http: Http, bucket: string): Promise<string[]> {
  const res = (await http.handler(apiEvent('GET', `/v1/buckets/${bucket}/objects`), {} as never)) as {
    statusCode: number;
    body: string;
  };
  expect(res.statusCode).toBe(200);
  const page = JSON.parse(res.body) as { objects?: Array<{ key: string }>; contents?: Array<{ key: string }> };
  return (page.objects ?? page.contents ?? []).map((o) => o.key);
}

const sqsBatch = JSON.parse(fs.readFileSync('events/sqs-batch.json', 'utf8')) as {
  Records: Array<{ messageId: string; body: string }>;
};

test('an SQS batch is committed, with a poison message reported alone; a cold API container lists it', async () => {
  const ingest = fresh<Ingest>('../../src/handlers/ingest');
  const batch = {
    Records: [...sqsBatch.Records, { messageId: 'poison-1', body: '{not json' }],
  };
  const out = await ingest.handler(batch);
  expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'poison-1' }]);

  const http = fresh<Http>('../../src/handlers/http');
  // the sample batch creates IMG 0001 and 0002, then deletes 0001
  expect(await keysOf(http, 'example-bucket')).toEqual(['photos/2024/IMG 0002.jpg']);

  // refresh: a warm API container sees a later batch
  const later = JSON.parse(sqsBatch.Records[0]!.body);
  later.id = 'later';
  later.detail.object.key = 'photos/2024/IMG 0003.jpg';
  later.detail.object.sequencer = '00FFFFFFFFFFFFFFFF';
  const out2 = await ingest.handler({ Records: [{ messageId: 'm-later', body: JSON.stringify(later) }] });
  expect(out2.batchItemFailures).toEqual([]);
  expect(await keysOf(http, 'example-bucket')).toContain('photos/2024/IMG 0003.jpg');

  // compact: a snapshot, then a cold start from it
  const compact = fresh<Compact>('../../src/handlers/compact');
  process.env.S3_INDEX_GC_GRACE_MS = '0';
  const done = await compact.handler();
  expect(done.snapshot).toBeDefined();
  expect(done.deleted).toBeGreaterThanOrEqual(2);
  const http2 = fresh<Http>('../../src/handlers/http');
  expect(await keysOf(http2, 'example-bucket')).toEqual(['photos/2024/IMG 0002.jpg', 'photos/2024/IMG 0003.jpg']);

  // a redelivered batch is a harmless duplicate
  const again = await ingest.handler({ Records: sqsBatch.Records });
  expect(again.batchItemFailures).toEqual([]);
  expect(await keysOf(http2, 'example-bucket')).toEqual(['photos/2024/IMG 0002.jpg', 'photos/2024/IMG 0003.jpg']);
  const http3 = fresh<Http>('../../src/handlers/http');
  expect(await keysOf(http3, 'example-bucket')).toEqual(['photos/2024/IMG 0002.jpg', 'photos/2024/IMG 0003.jpg']);
}, 60_000);

type Runtime = typeof import('../../src/handlers/runtime');

/** A container: its own module instances (ingest, http, runtime) on `store`. */
function container(store: import('../../src/persistence/blob-store').BlobStore): { ingest: Ingest; http: Http } {
  let mods: { ingest: Ingest; http: Http } | undefined;
  jest.isolateModules(() => {
    (require('../../src/handlers/runtime') as Runtime).useStore(store);
    mods = { ingest: require('../../src/handlers/ingest'), http: require('../../src/handlers/http') };
  });
  return mods!;
}

test('a commit conflict (a zombie container) fails the whole batch; the redelivery applies on the winner state', async () => {
  const { MemoryBlobStore } =
    require('../../src/persistence/memory-store') as typeof import('../../src/persistence/memory-store');
  const store = new MemoryBlobStore(true);
  const [first, second, third] = sqsBatch.Records;
  const winner = container(store);
  // the zombie's store is the same store; its first segment write lets the winner commit just before it (the race
  // a zombie container loses), so the zombie's manifest replacement meets a changed ETag: a real 412
  let race: (() => Promise<unknown>) | undefined;
  const racing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'put') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<typeof store.put>) => {
        const go = race;
        race = undefined;
        if (go !== undefined && String(args[0]).startsWith('log/')) await go();
        return target.put(...args);
      };
    },
  });
  const zombie = container(racing);
  expect((await zombie.ingest.handler({ Records: [] })).batchItemFailures).toEqual([]);
  race = () => winner.ingest.handler({ Records: [first!] });
  const batch = { Records: [second!, third!] };
  const failed = await zombie.ingest.handler(batch);
  expect(failed.batchItemFailures).toEqual(batch.Records.map((r) => ({ itemIdentifier: r.messageId })));
  // the redelivery: the zombie container restores afresh and applies on top of the winner's commit
  const retried = await zombie.ingest.handler(batch);
  expect(retried.batchItemFailures).toEqual([]);
  // and again (SQS delivers at least once): a duplicate, no change
  expect((await zombie.ingest.handler(batch)).batchItemFailures).toEqual([]);
  const reader = container(store);
  expect(await keysOf(reader.http, 'example-bucket')).toEqual(['photos/2024/IMG 0002.jpg']);
  const head = (await reader.http.handler(apiEvent('GET', '/v1/buckets/example-bucket/stats'), {} as never)) as {
    statusCode: number;
    body: string;
  };
  expect(head.statusCode).toBe(200);
}, 60_000);

test('a write through the API that loses a race with another container is retried once on the winner state', async () => {
  const { MemoryBlobStore } =
    require('../../src/persistence/memory-store') as typeof import('../../src/persistence/memory-store');
  const store = new MemoryBlobStore(true);
  process.env.S3_INDEX_REFRESH_MS = '600000';
  try {
    const a = container(store);
    const b = container(store);
    // both containers restore the empty store; b will not look at the store again for ten minutes
    for (const c of [a, b]) {
      const res = (await c.http.handler(apiEvent('GET', '/v1/buckets'), {} as never)) as { body: string };
      expect(JSON.parse(res.body)).toEqual({ buckets: [] });
    }
    const event = (key: string, sequencer: string) => {
      const e = JSON.parse(sqsBatch.Records[0]!.body);
      e.id = key;
      e.detail.object.key = key;
      e.detail.object.sequencer = sequencer;
      return JSON.stringify(e);
    };
    const post = (h: Http, body: string) =>
      h.handler(apiEvent('POST', '/v1/events', '', body), {} as never) as Promise<{ statusCode: number; body: string }>;
    const started = Date.now();
    expect((await post(a.http, event('from-a', '0001'))).statusCode).toBe(200);
    // b commits on top of a stale manifest: refused by the store, then retried on a restored runtime
    const res = await post(b.http, event('from-b', '0001'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).applied).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    const reader = container(store);
    expect(await keysOf(reader.http, 'example-bucket')).toEqual(['from-a', 'from-b']);
    // and b, restored afresh, now answers with both
    expect(await keysOf(b.http, 'example-bucket')).toEqual(['from-a', 'from-b']);
  } finally {
    process.env.S3_INDEX_REFRESH_MS = '0';
  }
}, 60_000);
