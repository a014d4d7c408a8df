/**
 * `s3-index serve --redis-url redis+cluster://…`: the object index kept in a 3-node Redis Cluster
 * (test/helpers/redis-cluster.ts: a private one, or the shared one of S3_INDEX_TEST_REDIS_CLUSTER, where this suite
 * writes only buckets of its own). Three buckets, one on each node's slots: events posted to /v1/events land in the
 * cluster (each bucket's keys on its node), the AWS SDK lists them through /s3 with prefixes, delimiters and
 * max-keys pages exactly as a simple model of ListObjectsV2 says, /v1 stats count them, and a second server on the
 * same cluster sees the same and keeps the first one's response cache right (changes published across nodes).
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Redis, { type Cluster } from 'ioredis';
import { type RedisClusterHandle, startRedisCluster, uniqueBucketPrefix } from '../helpers/redis-cluster';
import { describeWithTool } from '../helpers/redis-server';
import { sdkListing, unquote } from '../helpers/s3-listing';
import { buildCli, killServeChildren, type ServeChild, startServeChild } from '../helpers/serve-child';
import { created, deleted, markerCreated } from '../index/harness';

const describeRedis = describeWithTool('redis-server');

const seq = (n: number) => n.toString(16).toUpperCase().padStart(16, '0');
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const ETAG = 'b1946ac92492d2347c6235b4d2611184';

/** What ListObjectsV2 lists (all pages together): the keys under the prefix, and the rolled-up common prefixes. */
function model(objects: Map<string, number>, prefix: string, delimiter?: string) {
  const contents: Array<[string, number]> = [];
  const prefixes: string[] = [];
  for (const key of [...objects.keys()].sort(byBytes)) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at >= 0) {
      const p = key.slice(0, at + delimiter!.length);
      if (prefixes[prefixes.length - 1] !== p) prefixes.push(p);
    } else contents.push([key, objects.get(key)!]);
  }
  return { contents, prefixes };
}

describeRedis('serve --redis-url redis+cluster:// (3-node Redis Cluster)', () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;
  let serve: ServeChild;
  /** one bucket on each node */
  let buckets: string[];

  const api = (s: ServeChild, p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${s.httpPort}${p}`, init);
  const s3Of = (s: ServeChild) =>
    new S3Client({
      endpoint: `http://127.0.0.1:${s.httpPort}/s3`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });

  /** Bucket names whose keys (hash tag {bucket}) fall on the slots of a different node each. */
  async function bucketPerNode(prefix: string): Promise<string[]> {
    const node = new Redis({ host: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port });
    try {
      const slots = (await node.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, string]]>;
      const owner = (slot: number) => {
        const r = slots.find(([lo, hi]) => slot >= lo && slot <= hi);
        return r === undefined ? undefined : `${r[2][0]}:${r[2][1]}`;
      };
      const chosen = new Map<string, string>();
      for (let i = 0; chosen.size < slots.length && i < 1000; i++) {
        const name = `${prefix}-b${i}`;
        const where = owner(Number(await node.call('CLUSTER', 'KEYSLOT', `s3idx:{${name}}:keys`)));
        if (where !== undefined && !chosen.has(where)) chosen.set(where, name);
      }
      return [...chosen.values()];
    } finally {
      node.disconnect();
    }
  }

  beforeAll(async () => {
    buildCli();
    cluster = await startRedisCluster();
    client = cluster.client();
    buckets = await bucketPerNode(uniqueBucketPrefix('e2e'));
    serve = await startServeChild({ args: ['--redis-url', cluster.url] });
  }, 90_000);

  afterAll(async () => {
    await killServeChildren();
    client?.disconnect();
    await cluster?.stop();
  });

  // the objects of each bucket: key → size
  const KEYS = [
    'a/1.jpg',
    'a/2.jpg',
    'a/b/3.jpg',
    'a b/x',
    'a+b',
    'b.txt',
    'é/日本.txt',
    'z',
    'logs/readme',
    ...Array.from({ length: 23 }, (_, i) => `logs/2024/${String(i).padStart(2, '0')}.log`),
  ];

  test('events posted land on every node; the SDK lists them through /s3 by the model; /v1 stats agree', async () => {
    expect(serve.stderr()).toMatch(/object index lives in redis\+cluster:\/\/127\.0\.0\.1:\d+/);
    expect(buckets).toHaveLength(3);
    const expected = new Map<string, Map<string, number>>();
    for (const [bi, bucket] of buckets.entries()) {
      const objects = new Map<string, number>();
      const first = KEYS.map((k, i) => {
        objects.set(k, 100 * bi + i);
        return created(bucket, k, seq(0x100 + i), 100 * bi + i);
      });
      const res = await api(serve, '/v1/events', { method: 'POST', body: JSON.stringify(first) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ applied: KEYS.length, stale: 0, duplicate: 0, ignored: 0, rejected: [] });
      // then: an overwrite, a deletion, a delete marker, a late (older) put, and a redelivered event
      const second = [
        created(bucket, 'a/1.jpg', seq(0x900), 7777),
        deleted(bucket, 'b.txt', seq(0x901)),
        markerCreated(bucket, 'z', seq(0x902), 'm1'),
        created(bucket, 'a/2.jpg', seq(0x50), 1),
        first[3]!,
      ];
      objects.set('a/1.jpg', 7777);
      objects.delete('b.txt');
      objects.delete('z');
      const res2 = await api(serve, '/v1/events', { method: 'POST', body: JSON.stringify(second) });
      expect(await res2.json()).toEqual({ applied: 3, stale: 1, duplicate: 1, ignored: 0, rejected: [] });
      expected.set(bucket, objects);
    }

    // the data is in the cluster: each bucket's listed keys on its own node (the buckets were picked so)
    const nodesOf = new Set<string>();
    for (const bucket of buckets) {
      const objects = expected.get(bucket)!;
      expect(await client.zrangebylex(`s3idx:{${bucket}}:keys`, '-', '+')).toEqual([...objects.keys()].sort(byBytes));
      expect(await client.sismember('s3idx:buckets', bucket)).toBe(1);
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', `s3idx:{${bucket}}:keys`));
      const owner = ((await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>).find(
        ([lo, hi]) => slot >= lo && slot <= hi,
      )!;
      nodesOf.add(`${owner[2][0]}:${owner[2][1]}`);
    }
    expect(nodesOf.size).toBe(3);

    const s3 = s3Of(serve);
    try {
      for (const bucket of buckets) {
        const objects = expected.get(bucket)!;
        // every object, paged with continuation tokens (default max-keys)
        expect(await sdkListing(s3, bucket)).toEqual(
          [...objects.keys()].sort(byBytes).map((key) => ({ key, size: objects.get(key), etag: ETAG })),
        );
        for (const [prefix, delimiter, maxKeys] of [
          ['', '/', 2],
          ['', undefined, 5],
          ['a', '/', 1],
          ['a/', '/', 1],
          ['logs/', '/', 3],
          ['logs/2024/', undefined, 4],
          ['logs/2024/1', '/', 1000],
          ['é/', '/', 2],
          ['nothing/', '/', 2],
        ] as const) {
          const want = model(objects, prefix, delimiter);
          const contents: Array<[string, number]> = [];
          const prefixes: string[] = [];
          let token: string | undefined;
          let n = 0;
          for (;;) {
            const page = await s3.send(
              new ListObjectsV2Command({
                Bucket: bucket,
                Prefix: prefix || undefined,
                Delimiter: delimiter,
                MaxKeys: maxKeys,
                ContinuationToken: token,
              }),
            );
            n++;
            const got = page.Contents ?? [];
            const cps = page.CommonPrefixes ?? [];
            expect(page.KeyCount).toBe(got.length + cps.length);
            expect(page.KeyCount).toBeLessThanOrEqual(maxKeys);
            for (const o of got) {
              contents.push([o.Key!, o.Size!]);
              expect(unquote(o.ETag)).toBe(ETAG);
            }
            for (const p of cps) prefixes.push(p.Prefix!);
            token = page.NextContinuationToken;
            expect(page.IsTruncated).toBe(token !== undefined);
            if (token === undefined) break;
            expect(page.KeyCount).toBe(maxKeys);
          }
          const entries = want.contents.length + want.prefixes.length;
          expect([bucket, prefix, delimiter, maxKeys, contents, prefixes]).toEqual([
            bucket,
            prefix,
            delimiter,
            maxKeys,
            want.contents,
            want.prefixes,
          ]);
          expect(n).toBe(Math.max(1, Math.ceil(entries / maxKeys)));
        }
        // /v1 stats: objects and bytes under a prefix
        for (const prefix of ['', 'a/', 'a', 'logs/', 'logs/2024/', 'logs/2024/1', 'é/', 'z', 'nothing/']) {
          const under = [...objects].filter(([k]) => k.startsWith(prefix));
          const res = await api(serve, `/v1/buckets/${bucket}/stats?prefix=${encodeURIComponent(prefix)}`);
          expect(res.status).toBe(200);
          expect([bucket, prefix, await res.json()]).toEqual([
            bucket,
            prefix,
            { objects: under.length, bytes: under.reduce((t, [, s]) => t + s, 0) },
          ]);
        }
      }
      // a bucket never written: NoSuchBucket
      await expect(s3.send(new ListObjectsV2Command({ Bucket: `${buckets[0]}-none` }))).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });
    } finally {
      s3.destroy();
    }
  }, 90_000);

  test('a second server on the same cluster lists the same, and a page cached by the first follows its writes', async () => {
    const second = await startServeChild({ args: ['--redis-url', cluster.url] });
    const s3 = s3Of(second);
    const first = s3Of(serve);
    try {
      for (const bucket of buckets) expect(await sdkListing(s3, bucket)).toEqual(await sdkListing(first, bucket));
    } finally {
      s3.destroy();
      first.destroy();
    }
    for (const bucket of buckets) {
      // a page cached by the first server, changed through the second (its change published on another node)
      const cachedPath = `/v1/buckets/${bucket}/objects?prefix=a/&delimiter=/`;
      const keysOf = async () =>
        ((await (await api(serve, cachedPath)).json()) as { objects: Array<{ key: string }> }).objects.map(
          (o) => o.key,
        );
      expect(await keysOf()).toEqual(['a/1.jpg', 'a/2.jpg']);
      expect(await keysOf()).toEqual(['a/1.jpg', 'a/2.jpg']);
      const res = await api(second, '/v1/events', {
        method: 'POST',
        body: JSON.stringify([created(bucket, 'a/3.jpg', seq(0xa00), 3)]),
      });
      expect(await res.json()).toMatchObject({ applied: 1 });
      let seen: string[] = [];
      for (let i = 0; i < 80 && seen.length !== 3; i++) {
        seen = await keysOf();
        if (seen.length !== 3) await new Promise((r) => setTimeout(r, 25));
      }
      expect([bucket, seen]).toEqual([bucket, ['a/1.jpg', 'a/2.jpg', 'a/3.jpg']]);
      const stats = await (await api(serve, `/v1/buckets/${bucket}/stats?prefix=a/`)).json();
      expect((stats as { objects: number }).objects).toBe(4);
    }
    await second.kill('SIGTERM');
  }, 90_000);
});
