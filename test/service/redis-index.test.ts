/**
 * RedisIndex (the index kept in a real redis-server) against the bundled engine's S3Index as the oracle: the same
 * random event batches (shuffled, duplicated, late, versioned, deletions and delete markers) go to both; every
 * outcome, every ListObjectsV2 page (random prefix, delimiter, start-after, max-keys, paged by continuation token),
 * every head, version and stats answer must be the same. Then several RedisIndex workers on their own connections
 * ingest at once: the result is still the oracle's.
 *
 * Both against one redis-server and against a 3-node Redis Cluster (an ioredis Cluster; test/helpers/redis-cluster.ts:
 * a private cluster, or the one of S3_INDEX_TEST_REDIS_CLUSTER, which other suites use at the same time). Every
 * property run has buckets of its own (a name prefix unique to the suite and the run), so a shared cluster is never
 * flushed: a private server or cluster is flushed before each run and the bucket list compared whole; on a shared
 * cluster the bucket list is compared on this run's buckets.
 */
import fc from 'fast-check';
import Redis, { type Cluster } from 'ioredis';
import { ManualClock } from '../../src/engine/clock';
import { DEFAULT_LIMITS } from '../../src/index/store';
import { createEngine } from '../../src/service/create-engine';
import { RedisIndex } from '../../src/service/redis-index';
import { S3Index } from '../../src/service/s3-index';
import { allPages } from '../helpers/index-pages';
import { startRedisCluster, uniqueBucketPrefix } from '../helpers/redis-cluster';
import { describeWithTool, startRedisServer } from '../helpers/redis-server';
import { created, deleted, markerCreated } from '../index/harness';

const describeRedis = describeWithTool('redis-server');

/** The names of the run's two buckets (and of one it never writes) are made by the backend: see Backend.buckets. */
const BUCKET_SLOTS = [0, 1] as const;
const SEGMENTS = ['a', 'a b', 'a+b', 'é', '日本', 'x', '', 'a.b', 'a-'];
const keyArb = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'))
  .filter((k) => k !== '');

type Ev = Record<string, unknown>;

interface EventSpec {
  bucket: 0 | 1;
  key: string;
  kind: 'put' | 'delete' | 'marker';
  seq: number;
  size: number;
  versioned: boolean;
}

/** Random events on a few keys: puts, deletions and delete markers, with sequencers and some versions. */
const eventsArb = fc.array(
  fc.record({
    bucket: fc.constantFrom(...BUCKET_SLOTS),
    key: keyArb,
    kind: fc.constantFrom('put' as const, 'put' as const, 'put' as const, 'delete' as const, 'marker' as const),
    seq: fc.integer({ min: 1, max: 4000 }),
    size: fc.integer({ min: 0, max: 5_000_000_000 }),
    versioned: fc.boolean(),
  }),
  { minLength: 1, maxLength: 60 },
);

/** The events of `specs`, in the run's buckets. */
function toEvents(specs: EventSpec[], buckets: readonly string[]): Ev[] {
  return specs.map((x): Ev => {
    const bucket = buckets[x.bucket]!;
    const seq = x.seq.toString(16).toUpperCase().padStart(16, '0');
    const vid = x.versioned ? `v${x.seq}` : undefined;
    if (x.kind === 'put') return created(bucket, x.key, seq, x.size, vid ? { versionId: vid } : {});
    if (x.kind === 'delete') return deleted(bucket, x.key, seq, vid);
    return markerCreated(bucket, x.key, seq, `m${x.seq}`);
  });
}

/** The events in batches, each batch some duplicated (redelivery) */
const batchesArb = eventsArb.chain((evs) =>
  fc.tuple(
    fc.constant(evs),
    fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.nat(evs.length - 1), { maxLength: 6 }),
  ),
);

function toBatches(evs: Ev[], sizes: number[], dups: number[]): Ev[][] {
  const all = [...evs, ...dups.map((i) => evs[i]!)];
  const out: Ev[][] = [];
  let at = 0;
  for (let i = 0; at < all.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(all.slice(at, at + n));
    at += n;
  }
  return out;
}

/** Where the index lives for one describe block. */
interface Backend {
  /** a new client (the caller disconnects it) */
  connect(): Redis | Cluster;
  /** other suites may use it at the same time: never flushed */
  shared: boolean;
  /** forgets everything (a private server or cluster only) */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const BACKENDS: Array<[string, () => Promise<Backend>]> = [
  [
    'redis-server',
    async () => {
      const server = await startRedisServer();
      const connect = () => new Redis({ port: server.port, host: '127.0.0.1' });
      return {
        connect,
        shared: false,
        flush: async () => {
          const c = connect();
          try {
            await c.flushall();
          } finally {
            c.disconnect();
          }
        },
        stop: () => server.stop(),
      };
    },
  ],
  [
    '3-node Redis Cluster',
    async () => {
      const cluster = await startRedisCluster();
      return {
        connect: () => cluster.client(),
        shared: cluster.shared,
        // FLUSHALL on every master (an ioredis Cluster would send it to one node only)
        flush: async () => {
          const nodes = cluster.nodes.map((n) => new Redis({ port: n.port, host: n.host }));
          try {
            await Promise.all(nodes.map((n) => n.flushall()));
          } finally {
            for (const n of nodes) n.disconnect();
          }
        },
        stop: () => cluster.stop(),
      };
    },
  ],
];

describeRedis.each(BACKENDS)('RedisIndex against the bundled index (%s)', (_name, start) => {
  let backend: Backend;
  let redis: Redis | Cluster;
  const clock = new ManualClock(1_700_000_000_000);
  const suitePrefix = uniqueBucketPrefix('ri');
  let run = 0;

  beforeAll(async () => {
    backend = await start();
    redis = backend.connect();
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await backend?.stop();
  });

  // short retention (batches are 1 s apart) and a small bound, so that tombstones are dropped mid-run
  const limits = { ...DEFAULT_LIMITS, tombstoneRetentionMs: 3000, maxTombstones: 4 };
  /** A new run: its bucket names (two written, one never), an empty index where the backend is private. */
  const fresh = async (opts: { limits?: typeof limits } = {}) => {
    if (!backend.shared) await backend.flush();
    const ns = `${suitePrefix}-r${run++}`;
    const buckets = [`${ns}-b-one`, `${ns}-b-two`];
    const oracle = new S3Index(createEngine({ clock }), 0, opts.limits ?? DEFAULT_LIMITS);
    const subject = new RedisIndex(redis, { now: () => clock.now(), limits: opts.limits ?? DEFAULT_LIMITS });
    /** The bucket list as far as this run can tell: all of it, or this run's buckets on a shared cluster. */
    const ownBuckets = (all: string[]) => (backend.shared ? all.filter((b) => b.startsWith(`${ns}-`)) : all);
    return { oracle, subject, buckets, neverSeen: `${ns}-never-seen`, ownBuckets };
  };

  test('same outcomes, listings, heads, versions and stats as the bundled index', async () => {
    await fc.assert(
      fc.asyncProperty(
        batchesArb,
        fc.constantFrom('', 'a', 'a/', 'a b/', '日本/', 'a/a', 'zz'),
        fc.constantFrom(undefined, '/', ' ', 'a'),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(undefined, '', 'a', 'a/a', 'é'),
        async ([specs, sizes, dups], prefix, delimiter, maxKeys, startAfter) => {
          const { oracle, subject, buckets, neverSeen, ownBuckets } = await fresh({ limits });
          const evs = toEvents(specs, buckets);
          for (const batch of toBatches(evs, sizes, dups)) {
            clock.advance(1000);
            expect(await subject.ingest(batch)).toEqual(oracle.ingest(batch));
          }
          expect(ownBuckets(await subject.listBuckets())).toEqual(oracle.listBuckets());
          for (const bucket of [...buckets, neverSeen]) {
            const opts = { prefix, delimiter, maxKeys: Math.max(1, maxKeys), startAfter };
            expect(await allPages(subject, bucket, opts)).toEqual(await allPages(oracle, bucket, opts));
            // max-keys 0, and a bad token: the same answers
            expect(await subject.listObjectsV2(bucket, { prefix, maxKeys: 0 })).toEqual(
              oracle.listObjectsV2(bucket, { prefix, maxKeys: 0 }),
            );
            expect(await subject.listObjectsV2(bucket, { continuationToken: '%%' })).toEqual(
              oracle.listObjectsV2(bucket, { continuationToken: '%%' }),
            );
            for (const p of ['', 'a', 'a/', 'a/a', 'a b/', 'é/', '日本/日', 'q']) {
              expect([bucket, p, await subject.stats(bucket, p)]).toEqual([bucket, p, oracle.stats(bucket, p)]);
            }
            const keys = new Set(evs.map((e) => (e.detail as { object: { key: string } }).object.key));
            for (const key of keys) {
              expect([key, await subject.head(bucket, key)]).toEqual([key, oracle.head(bucket, key)]);
              expect([key, await subject.version(bucket, key)]).toEqual([key, oracle.version(bucket, key)]);
              expect(await subject.version(bucket, key, 'null')).toEqual(oracle.version(bucket, key, 'null'));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  test('several workers (own connections) ingesting at once end where the oracle ends', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, async ([specs, sizes, dups]) => {
        // default retention here: trimming tombstones by count would make the outcome depend on the interleaving
        const { oracle, buckets } = await fresh();
        const evs = toEvents(specs, buckets);
        const clients = [0, 1, 2].map(() => backend.connect());
        try {
          const workers = clients.map((c) => new RedisIndex(c, { now: () => clock.now() }));
          const batches = toBatches(evs, sizes, dups);
          // the oracle applies them in order; the workers all at once, each its share
          for (const b of batches) oracle.ingest(b);
          await Promise.all(
            workers.map(async (w, i) => {
              for (let j = i; j < batches.length; j += workers.length) await w.ingest(batches[j]!);
            }),
          );
          const reader = workers[0]!;
          for (const bucket of buckets) {
            expect(await allPages(reader, bucket, { maxKeys: 1000 })).toEqual(
              await allPages(oracle, bucket, { maxKeys: 1000 }),
            );
            expect(await reader.stats(bucket, '')).toEqual(oracle.stats(bucket, ''));
          }
        } finally {
          for (const c of clients) c.disconnect();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
