/**
 * The HTTP API over RedisIndex (the index in redis-server, standalone and a 3-node cluster) against the same app over
 * the bundled engine's S3Index, fed the same events: every route (/v1 JSON and NDJSON, /s3 ListObjectsV2 and V1,
 * HEAD and GET of objects, versions, stats, the browse page's folders and usage, errors) must answer the same status,
 * headers and body, page after page of continuation tokens, before and after a change.
 */
import Redis, { Cluster } from 'ioredis';
import { ManualClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { createEngine } from '../../src/service/create-engine';
import type { ObjectIndex } from '../../src/service/object-index';
import { RedisIndex } from '../../src/service/redis-index';
import { S3Index } from '../../src/service/s3-index';
import { type RedisClusterHandle, startRedisCluster, uniqueBucketPrefix } from '../helpers/redis-cluster';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { deleted, markerCreated } from '../index/harness';
import { AWKWARD_KEYS, createdEvent } from './index-fixture';

const describeRedis = describeWithTool('redis-server');

type App = ReturnType<typeof createApp>;

async function answer(app: App, target: string, init?: RequestInit) {
  const res = await app.fetch(new Request(`http://localhost${target}`, init));
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-amz-request-id'));
  const body = (await res.text()).replace(/<RequestId>[^<]*<\/RequestId>/, '<RequestId/>');
  return { target, status: res.status, headers, body };
}

/** Every page of a listing, following its continuation tokens (JSON or S3 XML). */
async function pages(app: App, first: string): Promise<Array<Awaited<ReturnType<typeof answer>>>> {
  const out = [];
  let target: string | undefined = first;
  while (target !== undefined && out.length < 100) {
    const a = await answer(app, target);
    out.push(a);
    const json = a.headers['content-type']?.includes('json') ? (JSON.parse(a.body) as Record<string, unknown>) : {};
    const token =
      (json.nextContinuationToken as string | null | undefined) ??
      /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(a.body)?.[1];
    const name = first.startsWith('/s3') ? 'continuation-token' : 'continuation-token';
    target = token
      ? `${first.replace(/&continuation-token=[^&]*/, '')}&${name}=${encodeURIComponent(token)}`
      : undefined;
  }
  return out;
}

const backends: Array<[string, () => Promise<{ client: Redis | Cluster; shared: boolean; stop(): Promise<void> }>]> = [
  [
    'redis-server',
    async () => {
      const server: RedisServerHandle = await startRedisServer();
      const client = new Redis({ port: server.port, host: '127.0.0.1' });
      return {
        client,
        shared: false,
        async stop() {
          client.disconnect();
          await server.stop();
        },
      };
    },
  ],
  [
    'a 3-node cluster',
    async () => {
      const cluster: RedisClusterHandle = await startRedisCluster();
      const client = new Cluster(cluster.nodes);
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      return {
        client,
        shared: cluster.shared,
        async stop() {
          client.disconnect();
          await cluster.stop();
        },
      };
    },
  ],
];

describeRedis.each(backends)('the HTTP API over RedisIndex on %s answers as over the bundled engine', (_, start) => {
  let backend: Awaited<ReturnType<typeof start>>;
  let redisIndex: RedisIndex;
  let bundled: App;
  let external: App;
  const bucket = `${uniqueBucketPrefix('http-app')}`;
  const clock = new ManualClock(1_700_000_000_000);

  beforeAll(async () => {
    backend = await start();
    redisIndex = new RedisIndex(backend.client, { now: () => clock.now() });
    const engine = createEngine({ clock });
    const app = (index: ObjectIndex) =>
      createApp({ engine, index, clock, config: httpConfig(), reportError: () => {} });
    bundled = app(new S3Index(engine));
    external = app(redisIndex);
  }, 60_000);

  afterAll(async () => {
    redisIndex?.close();
    await backend?.stop();
  });

  const post = (events: unknown) => ({
    method: 'POST',
    body: JSON.stringify(events),
    headers: { 'content-type': 'application/json' },
  });

  async function same(targets: string[]): Promise<void> {
    for (const t of targets) expect(await pages(external, t)).toEqual(await pages(bundled, t));
  }

  test('every listing, lookup and error, before and after changes', async () => {
    const events = [
      ...AWKWARD_KEYS.map((k, i) => createdEvent(bucket, k, { size: 10 + i })),
      ...Array.from({ length: 40 }, (_, i) =>
        createdEvent(bucket, `many/${String(i).padStart(3, '0')}.bin`, { size: i }),
      ),
    ];
    for (const app of [bundled, external])
      expect(await answer(app, '/v1/events', post(events))).toMatchObject({ status: 200 });
    const key = encodeURIComponent(AWKWARD_KEYS[1]!).replace(/%2F/g, '/');
    const targets = [
      `/v1/buckets/${bucket}/objects?max-keys=7`,
      `/v1/buckets/${bucket}/objects?delimiter=/&max-keys=2`,
      `/v1/buckets/${bucket}/objects?prefix=a/&delimiter=/&max-keys=3`,
      `/v1/buckets/${bucket}/objects?prefix=many/&start-after=many/010.bin&max-keys=9`,
      `/v1/buckets/${bucket}/objects?continuation-token=!!`,
      `/v1/buckets/${bucket}/objects?max-keys=abc`,
      `/v1/buckets/${bucket}/objects/${key}`,
      `/v1/buckets/${bucket}/objects/nope`,
      `/v1/buckets/${bucket}/stats?prefix=a`,
      `/v1/buckets/${bucket}/stats?prefix=a/`,
      `/v1/buckets/${bucket}/stats?prefix=many/0`,
      `/v1/buckets/${bucket}/stats`,
      '/v1/buckets/no-such-bucket-here/objects',
      `/v1/buckets/${bucket}/folders?max-keys=3`,
      `/v1/buckets/${bucket}/folders?prefix=many/0&delimiter=0&max-keys=4`,
      `/v1/buckets/${bucket}/usage`,
      `/v1/buckets/${bucket}/usage?prefix=many/&delimiter=.&top=5`,
      '/v1/buckets/no-such-bucket-here/folders',
      '/v1/buckets/no-such-bucket-here/usage',
      `/s3/${bucket}?list-type=2&delimiter=/&encoding-type=url`,
      `/s3/${bucket}?list-type=2&max-keys=5&fetch-owner=true`,
      `/s3/${bucket}?list-type=2&prefix=many/&delimiter=/&max-keys=4`,
      `/s3/${bucket}?delimiter=/&max-keys=1`,
      `/s3/${bucket}?list-type=2&start-after=a/b`,
      `/s3/${bucket}/${key}`,
      '/s3/no-such-bucket-here?list-type=2',
    ];
    if (!backend.shared) targets.push('/v1/buckets', '/s3');
    await same(targets);
    // the paged listings did page: 7 keys a page, and 5 for the S3 one
    const objects = new Set(AWKWARD_KEYS).size + 40;
    expect((await pages(external, targets[0]!)).length).toBe(Math.ceil(objects / 7));
    expect((await pages(external, `/s3/${bucket}?list-type=2&max-keys=5&fetch-owner=true`)).length).toBe(
      Math.ceil(objects / 5),
    );
    const ndjson = { headers: { accept: 'application/x-ndjson' } };
    expect(await answer(external, `/v1/buckets/${bucket}/objects?delimiter=/`, ndjson)).toEqual(
      await answer(bundled, `/v1/buckets/${bucket}/objects?delimiter=/`, ndjson),
    );
    for (const t of [`/s3/${bucket}`, `/s3/${bucket}/${key}`, `/s3/${bucket}/nope`])
      expect(await answer(external, t, { method: 'HEAD' })).toEqual(await answer(bundled, t, { method: 'HEAD' }));

    // a deletion, an overwrite and a delete marker: the cached pages follow
    clock.advance(1000);
    const changes = [
      deleted(bucket, 'many/000.bin', 'FFFFFFFFFFFFFFF0'),
      createdEvent(bucket, 'many/005.bin', { size: 999 }),
      markerCreated(bucket, 'a.txt', 'FFFFFFFFFFFFFFF1', 'marker-1'),
    ];
    for (const app of [bundled, external])
      expect(await answer(app, '/v1/events', post(changes))).toMatchObject({ status: 200 });
    await same(targets);
  }, 120_000);
});
