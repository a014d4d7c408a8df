/**
 * RedisIndex with several ingest PROCESSES (test/helpers/redis-ingest-worker.ts, each a RedisIndex on a connection
 * of its own made by connectRedis, as `serve --redis-url` makes it) against the bundled engine's S3Index as the
 * oracle:
 *
 * - 4 worker processes ingest shares of the same shuffled, duplicated event batches at once (some batches delivered
 *   to two workers, as a queue redelivers to another consumer), on one redis-server and on a 3-node Redis Cluster:
 *   afterwards every listing page, head, version and stats answer is the oracle's, fed every batch in order. No
 *   update is lost or applied out of order, whatever the interleaving.
 * - A redis-server with its AOF fsynced on every write is SIGKILLed in the middle of a stream of batches from 3
 *   workers and restarted on the same port: the workers retry every batch whose ingest() rejected until it is
 *   acknowledged. Every batch acknowledged before the kill is there after the restart, and at the end the index is
 *   the oracle's.
 *
 * On a shared cluster (S3_INDEX_TEST_REDIS_CLUSTER) every run writes only buckets of its own and nothing is flushed.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import fc from 'fast-check';
import Redis, { type Cluster } from 'ioredis';
import { ManualClock } from '../../src/engine/clock';
import type { ListOptions } from '../../src/index/list';
import type { IngestOutcome } from '../../src/ingest/types';
import { createEngine } from '../../src/service/create-engine';
import { RedisIndex } from '../../src/service/redis-index';
import { S3Index } from '../../src/service/s3-index';
import { allPages } from '../helpers/index-pages';
import { rng } from '../helpers/prng';
import { type ClusterNodeAddress, startRedisCluster, uniqueBucketPrefix } from '../helpers/redis-cluster';
import { describeWithTool, freePort, startRedisServer, waitForPort } from '../helpers/redis-server';
import { created, deleted, markerCreated } from '../index/harness';

const describeRedis = describeWithTool('redis-server');

const NOW = 1_700_000_000_000;
type Ev = Record<string, unknown>;

let buildDir: string;
let bundle: string;

beforeAll(() => {
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-ingest-worker-'));
  bundle = path.join(buildDir, 'redis-ingest-worker.js');
  buildSync({
    entryPoints: [path.join(__dirname, '../helpers/redis-ingest-worker.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
  });
});

afterAll(() => fs.rmSync(buildDir, { recursive: true, force: true }));

// ---- worker processes ---------------------------------------------------------------------------------------------

type WorkerMsg =
  | { type: 'ready' }
  | { type: 'ack'; job: number; n: number; outcome: IngestOutcome }
  | { type: 'rejected'; job: number; n: number; message: string }
  | { type: 'done'; job: number }
  | { type: 'error'; job: number; message: string };

interface WorkerTarget {
  cluster: boolean;
  nodes: ClusterNodeAddress[];
}

class Worker {
  private constructor(readonly proc: ChildProcess) {}

  static async start(target: WorkerTarget): Promise<Worker> {
    const proc = fork(bundle, [JSON.stringify({ ...target, now: NOW })], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker did not connect in 20 s')), 20_000);
      proc.once('exit', (code, signal) => reject(new Error(`the worker exited (${signal ?? code}) before ready`)));
      proc.on('message', (m: WorkerMsg) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return new Worker(proc);
  }

  /**
   * Sends the worker its batches and resolves once it has acknowledged them all; `onMsg` sees every message of the
   * job (acks and rejections) as it comes.
   */
  run(job: number, batches: Array<{ n: number; events: Ev[] }>, onMsg: (m: WorkerMsg) => void = () => {}) {
    return new Promise<void>((resolve, reject) => {
      const listener = (m: WorkerMsg) => {
        if (m.type === 'ready' || m.job !== job) return;
        onMsg(m);
        if (m.type === 'done' || m.type === 'error') {
          this.proc.off('message', listener);
          this.proc.off('exit', onExit);
          if (m.type === 'done') resolve();
          else reject(new Error(`worker ${this.proc.pid}: ${m.message}`));
        }
      };
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`worker ${this.proc.pid} exited (${signal ?? code}) during job ${job}`));
      this.proc.on('message', listener);
      this.proc.once('exit', onExit);
      this.proc.send({ type: 'ingest', job, batches });
    });
  }

  stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
}

// ---- events and comparisons ---------------------------------------------------------------------------------------

const SEGMENTS = ['a', 'a b', 'é', '日本', 'x', '', 'a.b'];
const keyArb = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'))
  .filter((k) => k !== '');

interface EventSpec {
  bucket: number;
  key: string;
  kind: 'put' | 'delete' | 'marker';
  seq: number;
  size: number;
  versioned: boolean;
}

function toEvent(x: EventSpec, buckets: readonly string[]): Ev {
  const bucket = buckets[x.bucket]!;
  const seq = x.seq.toString(16).toUpperCase().padStart(16, '0');
  const vid = x.versioned ? `v${x.seq}` : undefined;
  if (x.kind === 'put') return created(bucket, x.key, seq, x.size, vid ? { versionId: vid } : {});
  if (x.kind === 'delete') return deleted(bucket, x.key, seq, vid);
  return markerCreated(bucket, x.key, seq, `m${x.seq}`);
}

const specArb: fc.Arbitrary<EventSpec> = fc.record({
  bucket: fc.constantFrom(0, 1),
  key: keyArb,
  kind: fc.constantFrom('put' as const, 'put' as const, 'put' as const, 'delete' as const, 'marker' as const),
  seq: fc.integer({ min: 1, max: 3000 }),
  size: fc.integer({ min: 0, max: 5_000_000_000 }),
  versioned: fc.boolean(),
});

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const LISTINGS: ListOptions[] = [
  { maxKeys: 1000 },
  { maxKeys: 3 },
  { delimiter: '/', maxKeys: 2 },
  { prefix: 'a/', maxKeys: 2 },
  { prefix: 'a', delimiter: '/', maxKeys: 1 },
];
const STATS_PREFIXES = ['', 'a', 'a/', 'a b/', 'é/', '日本/', 'x', 'u/', 's/'];

/** The index answers as the oracle does: bucket list (this run's), every listing, stats, head and version. */
async function expectSameAsOracle(
  subject: RedisIndex,
  oracle: S3Index,
  buckets: string[],
  keys: Iterable<string>,
  ownBuckets: (all: string[]) => string[],
) {
  expect(ownBuckets(await subject.listBuckets())).toEqual(oracle.listBuckets());
  const keyList = [...new Set(keys)];
  for (const bucket of buckets) {
    for (const opts of LISTINGS) {
      expect([bucket, opts, await allPages(subject, bucket, opts)]).toEqual([
        bucket,
        opts,
        await allPages(oracle, bucket, opts),
      ]);
    }
    for (const p of STATS_PREFIXES) {
      expect([bucket, p, await subject.stats(bucket, p)]).toEqual([bucket, p, oracle.stats(bucket, p)]);
    }
    for (const key of keyList) {
      expect([bucket, key, await subject.head(bucket, key)]).toEqual([bucket, key, oracle.head(bucket, key)]);
      expect([bucket, key, await subject.version(bucket, key)]).toEqual([bucket, key, oracle.version(bucket, key)]);
    }
  }
}

// ---- concurrent ingest processes ----------------------------------------------------------------------------------

interface Backend {
  target: WorkerTarget;
  connect(): Redis | Cluster;
  shared: boolean;
  stop(): Promise<void>;
}

const BACKENDS: Array<[string, () => Promise<Backend>]> = [
  [
    'redis-server',
    async () => {
      const server = await startRedisServer();
      return {
        target: { cluster: false, nodes: [{ host: '127.0.0.1', port: server.port }] },
        connect: () => new Redis({ port: server.port, host: '127.0.0.1' }),
        shared: false,
        stop: () => server.stop(),
      };
    },
  ],
  [
    '3-node Redis Cluster',
    async () => {
      const cluster = await startRedisCluster();
      return {
        target: { cluster: true, nodes: cluster.nodes },
        connect: () => cluster.client(),
        shared: cluster.shared,
        stop: () => cluster.stop(),
      };
    },
  ],
];

const WORKERS = 4;

describeRedis.each(BACKENDS)('RedisIndex: %s, 4 ingest processes at once', (_name, start) => {
  let backend: Backend;
  let reader: Redis | Cluster;
  let workers: Worker[] = [];
  const suitePrefix = uniqueBucketPrefix('riw');
  let run = 0;

  beforeAll(async () => {
    backend = await start();
    reader = backend.connect();
    workers = await Promise.all(Array.from({ length: WORKERS }, () => Worker.start(backend.target)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    reader?.disconnect();
    await backend?.stop();
  });

  test('shares of shuffled, duplicated, redelivered batches end where the oracle ends', async () => {
    let job = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 20, maxLength: 160 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer(),
        async (specs, sizes, dupRate, seed) => {
          const rand = rng(seed);
          const ns = `${suitePrefix}-r${run++}`;
          const buckets = [`${ns}-one`, `${ns}-two`];
          const events = specs.map((s) => toEvent(s, buckets));
          // redelivered events (the same event again, anywhere in the stream), then shuffled
          const all = shuffle([...events, ...events.filter(() => rand() < dupRate)], rand);
          const batches: Ev[][] = [];
          for (let at = 0, i = 0; at < all.length; i++) {
            const n = sizes[i % sizes.length]!;
            batches.push(all.slice(at, at + n));
            at += n;
          }
          // the oracle: every batch, in order
          const oracle = new S3Index(createEngine({ clock: new ManualClock(NOW) }));
          for (const b of batches) oracle.ingest(b);
          // the workers: batch j to worker j % 4, and some batches a second time to the next worker (redelivery
          // to another consumer), all at once
          const shares: Array<Array<{ n: number; events: Ev[] }>> = workers.map(() => []);
          batches.forEach((events, n) => {
            shares[n % WORKERS]!.push({ n, events });
            if (rand() < dupRate) shares[(n + 1) % WORKERS]!.push({ n, events });
          });
          const acked: number[] = [];
          const rejectedEvents: unknown[] = [];
          let eventsCounted = 0;
          job++;
          await Promise.all(
            workers.map((w, i) =>
              w.run(job, shares[i]!, (m) => {
                if (m.type !== 'ack') return;
                acked.push(m.n);
                const o = m.outcome;
                rejectedEvents.push(...o.rejected);
                eventsCounted += o.applied + o.stale + o.duplicate + o.ignored;
              }),
            ),
          );
          // every delivery acknowledged, every event of it counted once
          expect(rejectedEvents).toEqual([]);
          expect(acked.length).toBe(shares.reduce((t, s) => t + s.length, 0));
          expect(eventsCounted).toBe(shares.flat().reduce((t, b) => t + b.events.length, 0));

          const subject = new RedisIndex(reader, { now: () => NOW });
          // the server or cluster also holds the earlier runs' buckets (nothing is flushed), and on a shared cluster
          // other suites' ones: this run's buckets only
          await expectSameAsOracle(
            subject,
            oracle,
            [...buckets, `${ns}-never-seen`],
            specs.map((s) => s.key),
            (bs) => bs.filter((b) => b.startsWith(`${ns}-`)),
          );
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);
});

// ---- Redis killed and restarted during ingest ---------------------------------------------------------------------

describeRedis('RedisIndex: redis-server SIGKILLed and restarted during ingest by 3 processes', () => {
  let port: number;
  let dir: string;
  let redisProc: ChildProcess | undefined;
  let workers: Worker[] = [];

  /** redis-server on `port`, its AOF fsynced before every reply (appendfsync always) in `dir`. */
  async function startRedis(): Promise<void> {
    redisProc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
  }

  async function killRedis(): Promise<void> {
    const p = redisProc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  beforeAll(async () => {
    port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-redis-kill-'));
    await startRedis();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await killRedis();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Retries `f` while the server is not answering (down, or LOADING its AOF after the restart). */
  async function whenUp<T>(f: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await f();
      } catch (err) {
        if (i > 200) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  test('every acknowledged batch survives; rejected ones are retried until acknowledged; the end is the oracle', async () => {
    const rand = rng(0x5eed);
    const buckets = ['kill-one', 'kill-two'];
    const TOTAL = 400;
    // each batch: 2 objects of its own (u/<batch>-<i>, never deleted: a lost acknowledged batch would show), and
    // 3 events on a few shared keys (puts, deletions, delete markers, random sequencers: late and out of order), one
    // in four batches also an earlier event again (redelivery)
    const sharedKeys = ['s/k0', 's/k1', 's/k2', 's/k3', 's/k4', 'a/x', 'a b/y', 'é/z'];
    const kinds = ['put', 'put', 'delete', 'marker'] as const;
    const batches: Ev[][] = [];
    const ownKeys: Array<Array<[string, string]>> = [];
    const history: Ev[] = [];
    for (let n = 0; n < TOTAL; n++) {
      const evs: Ev[] = [];
      const own: Array<[string, string]> = [];
      for (let i = 0; i < 2; i++) {
        const bucket = buckets[(n + i) % 2]!;
        const key = `u/${n}-${i}`;
        own.push([bucket, key]);
        evs.push(created(bucket, key, (1000 + n).toString(16).toUpperCase().padStart(16, '0'), n * 10 + i));
      }
      for (let i = 0; i < 3; i++) {
        const seqN = 1 + Math.floor(rand() * 5000);
        evs.push(
          toEvent(
            {
              bucket: Math.floor(rand() * 2),
              key: sharedKeys[Math.floor(rand() * sharedKeys.length)]!,
              kind: kinds[Math.floor(rand() * kinds.length)]!,
              seq: seqN,
              size: seqN * 7,
              versioned: rand() < 0.3,
            },
            buckets,
          ),
        );
      }
      if (n > 0 && rand() < 0.25) evs.push(history[Math.floor(rand() * history.length)]!);
      history.push(...evs);
      batches.push(shuffle(evs, rand));
      ownKeys.push(own);
    }
    const oracle = new S3Index(createEngine({ clock: new ManualClock(NOW) }));
    for (const b of batches) oracle.ingest(b);

    workers = await Promise.all(
      [0, 1, 2].map(() => Worker.start({ cluster: false, nodes: [{ host: '127.0.0.1', port }] })),
    );
    const shares = workers.map((_, i) =>
      batches.map((events, n) => ({ n, events })).filter((b) => b.n % workers.length === i),
    );

    const acked = new Set<number>();
    const ackedTwice: number[] = [];
    let rejections = 0;
    let ackedBeforeKill: Set<number> | undefined;
    let restarted: () => void = () => {};
    const restart = new Promise<void>((resolve) => {
      restarted = resolve;
    });
    const KILL_AFTER = 80;
    const onMsg = (m: WorkerMsg) => {
      if (m.type === 'rejected') rejections++;
      if (m.type !== 'ack') return;
      // a batch is acknowledged once (never retried after its ack)
      if (acked.has(m.n)) ackedTwice.push(m.n);
      acked.add(m.n);
      if (acked.size === KILL_AFTER && ackedBeforeKill === undefined) {
        ackedBeforeKill = new Set(acked);
        void (async () => {
          await killRedis();
          // down for a while: every worker's next batches are rejected meanwhile
          await new Promise((r) => setTimeout(r, 700));
          await startRedis();
          restarted();
        })();
      }
    };
    const ingesting = Promise.all(workers.map((w, i) => w.run(1, shares[i]!, onMsg)));
    let restartedYet = false;
    let endedBeforeRestart = false;
    void restart.then(() => {
      restartedYet = true;
    });
    void ingesting.then(
      () => {
        endedBeforeRestart = !restartedYet;
      },
      () => undefined,
    );
    // (a worker's failure fails the test at once)
    await Promise.race([restart, ingesting.then(() => restart)]);

    const client = new Redis({ port, host: '127.0.0.1' });
    try {
      const subject = new RedisIndex(client, { now: () => NOW });
      // right after the restart, while the workers go on: every object of a batch acknowledged before the kill
      // (never sent again) survived it
      for (const n of ackedBeforeKill!) {
        for (const [bucket, key] of ownKeys[n]!) {
          const h = await whenUp(() => subject.head(bucket, key));
          expect([n, bucket, key, h.ok && h.value !== undefined]).toEqual([n, bucket, key, true]);
        }
      }
      await ingesting;
      expect(ackedBeforeKill!.size).toBe(KILL_AFTER);
      // the kill hit the stream: batches were refused while it was down, and all were acknowledged in the end, once
      expect(rejections).toBeGreaterThan(0);
      expect(ackedTwice).toEqual([]);
      expect(acked.size).toBe(TOTAL);
      // and everything acknowledged is there: the index is the oracle's
      for (const own of ownKeys) {
        for (const [bucket, key] of own) {
          const h = await subject.head(bucket, key);
          expect([bucket, key, h.ok && h.value !== undefined]).toEqual([bucket, key, true]);
        }
      }
      // nothing can be acknowledged while the server is down: the stream was still going when it came back
      expect(endedBeforeRestart).toBe(false);
      await expectSameAsOracle(
        subject,
        oracle,
        [...buckets, 'kill-never-seen'],
        [...sharedKeys, ...ownKeys.flat().map(([, k]) => k)],
        (bs) => bs,
      );
    } finally {
      client.disconnect();
    }
  }, 180_000);
});
