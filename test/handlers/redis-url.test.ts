/**
 * The Lambda handlers with S3_INDEX_REDIS_URL (the index in ElastiCache): the ingest function applies SQS batches
 * (events, backfill pages, reconcile repairs) to the index in a real redis-server, the api function lists it and runs
 * /redis there, and a server that does not answer fails the batch's messages for redelivery instead of acknowledging
 * them. Each handler module is loaded in a fresh module instance (a new container).
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import Redis from 'ioredis';
import { apiGatewayEvent } from '../helpers/lambda-container';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { startS3rver } from '../helpers/s3rver';
import { created, deleted } from '../index/harness';

type Ingest = typeof import('../../src/handlers/ingest');
type Http = typeof import('../../src/handlers/http');
type Reconcile = typeof import('../../src/handlers/reconcile');

const describeRedis = describeWithTool('redis-server');
const TOKEN = 'redis-url-handler-token-01';
/** the ETag s3rver gives the body 'xyz' */
const XYZ_MD5 = createHash('md5').update('xyz').digest('hex');

type RuntimeModule = typeof import('../../src/handlers/runtime');
/** the containers made, whose connections afterAll closes */
const containers: RuntimeModule[] = [];

/** A handler module in a new container (its own runtime module instance). */
function fresh<T>(file: string): T {
  let mod: T | undefined;
  jest.isolateModules(() => {
    mod = require(file);
    containers.push(require('../../src/handlers/runtime'));
  });
  return mod!;
}

const sqs = (bodies: unknown[]) => ({
  Records: bodies.map((b, i) => ({ messageId: `m${i}`, body: typeof b === 'string' ? b : JSON.stringify(b) })),
});

const api = async (http: Http, method: string, path: string, body?: unknown) => {
  const res = (await http.handler(
    apiGatewayEvent(method, path, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    }) as never,
    {} as never,
  )) as { statusCode: number; body: string };
  return { status: res.statusCode, body: JSON.parse(res.body) as unknown };
};

describeRedis('Lambda handlers with S3_INDEX_REDIS_URL', () => {
  let server: RedisServerHandle;
  let redis: Redis;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ port: server.port, host: '127.0.0.1' });
    Object.assign(process.env, {
      S3_INDEX_REDIS_URL: `redis://127.0.0.1:${server.port}`,
      S3_INDEX_API_TOKENS: `rw:${TOKEN}`,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    delete process.env.S3_INDEX_STORE;
  });

  afterAll(async () => {
    await Promise.all(containers.map((c) => c.discardRuntime()));
    process.env = saved;
    redis?.disconnect();
    await server?.stop();
  });

  test('ingest batches land in Redis; the api function lists them and runs /redis on the server', async () => {
    const ingest = fresh<Ingest>('../../src/handlers/ingest');
    const batch = sqs([
      created('lake', 'raw/a.csv', '0000000000000010', 10),
      [created('lake', 'raw/b.csv', '0000000000000011', 20), created('lake', 'top.txt', '0000000000000012', 5)],
      'not json',
      {
        source: 's3-index.backfill',
        bucket: 'lake',
        crawlStart: 1,
        rows: [['raw/c.csv', 7, 'etag', 1000, 'STANDARD']],
      },
      deleted('lake', 'top.txt', '0000000000000099'),
    ]);
    const res = await ingest.handler(batch);
    // the poison message alone fails
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(await redis.zrangebylex('s3idx:{lake}:keys', '-', '+')).toEqual(['raw/a.csv', 'raw/b.csv', 'raw/c.csv']);

    const http = fresh<Http>('../../src/handlers/http');
    const page = await api(http, 'GET', '/v1/buckets/lake/objects');
    expect(page.status).toBe(200);
    expect((page.body as { objects: Array<{ key: string }> }).objects.map((o) => o.key)).toEqual([
      'raw/a.csv',
      'raw/b.csv',
      'raw/c.csv',
    ]);
    expect((await api(http, 'GET', '/v1/buckets/lake/stats?prefix=raw/')).body).toMatchObject({
      objects: 3,
      bytes: 37,
    });
    expect(await api(http, 'POST', '/redis', ['SET', 'from-lambda', 'yes'])).toEqual({
      status: 200,
      body: { result: 'OK' },
    });
    expect(await redis.get('from-lambda')).toBe('yes');
  }, 60_000);

  test('the reconcile function lists the index in Redis against the bucket: the drift it finds', async () => {
    const s3 = await startS3rver(['checked'], 'redis-url-reconcile');
    const env = { ...process.env };
    try {
      Object.assign(process.env, s3.env, { S3_INDEX_RECONCILE_SETTLE_MS: '0' });
      for (const Key of ['a/1', 'a/2', 'b'])
        await s3.client.send(new PutObjectCommand({ Bucket: 'checked', Key, Body: Buffer.from('xyz') }));
      const ingest = fresh<Ingest>('../../src/handlers/ingest');
      // the index knows a/1 and b, and a key S3 does not hold
      const res = await ingest.handler(
        sqs([
          created('checked', 'a/1', '0000000000000010', 3, { etag: XYZ_MD5 }),
          created('checked', 'b', '0000000000000011', 3, { etag: XYZ_MD5 }),
          created('checked', 'ghost', '0000000000000012', 3, { etag: XYZ_MD5 }),
        ]),
      );
      expect(res.batchItemFailures).toEqual([]);
      // (with a repair the ingest queue would get the missing row and the extra key's HeadObject answer)
      const reconcile = fresh<Reconcile>('../../src/handlers/reconcile');
      const result = await reconcile.handler({ bucket: 'checked', repair: false });
      expect(result.buckets).toEqual([
        expect.objectContaining({ bucket: 'checked', missing: 1, extra: 1, stale: 0, checked: 3, queued: 0 }),
      ]);
      expect(result.drift).toBe(2);
    } finally {
      process.env = env;
      await s3.close();
    }
  }, 60_000);

  test('a Redis that does not answer: every message fails for redelivery, nothing is acknowledged', async () => {
    // a container whose server went away after its cold start
    const down = await startRedisServer();
    let stopped = false;
    process.env.S3_INDEX_REDIS_URL = `redis://127.0.0.1:${down.port}`;
    try {
      const ingest = fresh<Ingest>('../../src/handlers/ingest');
      const ok = await ingest.handler(sqs([created('gone', 'k1', '0000000000000001')]));
      expect(ok.batchItemFailures).toEqual([]);
      await down.stop();
      stopped = true;
      const res = await ingest.handler(
        sqs([created('gone', 'k2', '0000000000000002'), created('gone', 'k3', '0000000000000003')]),
      );
      expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }]);
    } finally {
      process.env.S3_INDEX_REDIS_URL = `redis://127.0.0.1:${server.port}`;
      if (!stopped) await down.stop();
    }
  }, 60_000);
});
