/**
 * `npm run bench:redis-backend` (issue 23): the index on a real redis-server (RedisIndex, `--redis-url`) against the
 * bundled engine (S3Index), same data, same run; then RedisIndex on a 3-node Redis Cluster with 1, 4 and 8 ingest
 * workers.
 *
 * Data: BENCH_OBJECTS (default 200,000) keys of bench/data/genkeys.mjs as EventBridge "Object Created" events, in SQS
 * batches of BENCH_BATCH (default 100) events, as the ingest Lambda receives them.
 *
 *   1. bundled: S3Index on a fresh engine in a child process (node --expose-gc, nothing else in its heap): the time of
 *      the ingest calls → events/s; resting RSS and V8 heap + external growth per object; then ListObjectsV2 pages.
 *   2. redis-server 7 (started here, `--save '' --appendonly no`), RedisIndex through ioredis from this process: the
 *      same batches → events/s; the server's resting used_memory_rss growth per object (and used_memory); the same
 *      pages.
 *   Pages: max-keys 1000 after BENCH_PAGES (default 500) random start-after keys, and delimiter '/' at as many
 *   random folder prefixes (the same seeded points for both): p50 / p99 µs of the call as the service makes it. Every
 *   page of both is hashed: the two indexes must give the same pages.
 *   3. cluster: 3 redis-server --cluster-enabled nodes (no replicas); batch b goes to bucket `bench-${b % 8}` (8 hash
 *      tags, spread over the nodes); W = 1, 4, 8 worker processes, each with its own ioredis Cluster client, ingest
 *      contiguous shares of the batches at once: total events/s from the start signal to the last worker's end. After
 *      each run every bucket's stats must count its objects; the cluster is flushed between runs.
 *
 * Every redis-server is started through bench/lib/child-processes.ts: stopped on every exit path.
 */

import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import type { ListOptions } from '../src/index/list';
import { createEngine } from '../src/service/create-engine';
import type { ObjectIndex } from '../src/service/object-index';
import { connectRedis } from '../src/service/redis-client';
import { RedisIndex, redisKeyNames } from '../src/service/redis-index';
import { S3Index } from '../src/service/s3-index';
import { type ChildServer, startChild, startServer, stopChild } from './lib/child-processes';
import { objectCreatedEvent } from './lib/events';
import { canForceGc, gc, heapAndExternal, restingRss } from './lib/memory';
import { fmt, genKeys, type KeyRow, percentile, redisRestingRss, startRedis } from './lib/redis';

const N = Number(process.env.BENCH_OBJECTS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const PAGES = Number(process.env.BENCH_PAGES ?? 500);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,4,8').split(',').map(Number);
const CLUSTER_BUCKETS = 8;
const BUCKET = 'bench';
const HOST = '127.0.0.1';

interface SqsBatch {
  Records: Array<{ messageId: string; eventSource: string; body: string }>;
}

/** Batch b of the rows: BATCH "Object Created" events in an SQS batch, for `bucket`. */
function batchOf(rows: KeyRow[], b: number, bucket: string): SqsBatch {
  const from = b * BATCH;
  return {
    Records: rows.slice(from, from + BATCH).map((r, i) => {
      const n = from + i;
      const body = JSON.stringify(
        objectCreatedEvent({
          id: `e${n}`,
          bucket,
          key: r.key,
          size: r.size,
          etag: r.etag,
          time: r.mtime,
          sequencer: (n + 1).toString(16).toUpperCase().padStart(18, '0'),
          storage: r.storageClass,
        }),
      );
      return { messageId: `m${n}`, eventSource: 'aws:sqs', body };
    }),
  };
}

const batchCount = (): number => Math.ceil(N / BATCH);
const clusterBucket = (b: number): string => `bench-${b % CLUSTER_BUCKETS}`;

const cpuUs = (c: NodeJS.CpuUsage): number => c.user + c.system;

/**
 * Ingests every batch into `bucket`: the summed time of the ingest calls (batch building excluded), in ms, and this
 * process's CPU time during them, in µs.
 */
async function ingestAll(index: ObjectIndex, rows: KeyRow[], bucket: string): Promise<{ ms: number; cpu: number }> {
  let ms = 0;
  let cpu = 0;
  for (let b = 0; b < batchCount(); b++) {
    const batch = batchOf(rows, b, bucket);
    const c = process.cpuUsage();
    const t = performance.now();
    const out = await index.ingest(batch);
    ms += performance.now() - t;
    cpu += cpuUs(process.cpuUsage(c));
    if (out.rejected.length > 0 || out.applied !== batch.Records.length)
      throw new Error(`batch ${b}: ${JSON.stringify({ ...out, rejected: out.rejected.slice(0, 3) })}`);
  }
  return { ms, cpu };
}

/** A seeded generator (mulberry32): the same page points for both indexes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The page requests: PAGES flat pages after random keys, PAGES delimited pages at random folder prefixes. */
function pagePoints(rows: KeyRow[]): { flat: ListOptions[]; delimited: ListOptions[] } {
  const rnd = random(7);
  const pick = (): string => rows[Math.floor(rnd() * rows.length)]!.key;
  const flat: ListOptions[] = [];
  const delimited: ListOptions[] = [];
  for (let i = 0; i < PAGES; i++) flat.push({ maxKeys: 1000, startAfter: pick() });
  for (let i = 0; i < PAGES; i++) {
    const parts = pick().split('/');
    const depth = Math.floor(rnd() * parts.length); // 0: the bucket's root
    const prefix = depth === 0 ? '' : `${parts.slice(0, depth).join('/')}/`;
    delimited.push({ maxKeys: 1000, prefix, delimiter: '/' });
  }
  return { flat, delimited };
}

interface PageFigures {
  p50: number;
  p99: number;
  mean: number;
  /** mean entries (contents + common prefixes) per page */
  entries: number;
  /** sha1 of every page's JSON, in order */
  digest: string;
  /** redis: the server's µs per LIST script call (INFO commandstats, evalsha) */
  serverUs?: number;
}

/** Each request once (after 50 warm-up calls), sequentially: µs per call. */
async function timePages(index: ObjectIndex, bucket: string, requests: ListOptions[]): Promise<PageFigures> {
  for (let i = 0; i < 50; i++) await index.listObjectsV2(bucket, requests[i % requests.length]);
  const us: number[] = [];
  const hash = createHash('sha1');
  let entries = 0;
  for (const opts of requests) {
    const t = process.hrtime.bigint();
    const page = await index.listObjectsV2(bucket, opts);
    us.push(Number(process.hrtime.bigint() - t) / 1000);
    if (!page.ok) throw new Error(`${JSON.stringify(opts)}: ${page.error.message}`);
    entries += page.value.keyCount;
    hash.update(JSON.stringify(page.value));
  }
  const sorted = us.slice().sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: us.reduce((a, b) => a + b, 0) / us.length,
    entries: entries / requests.length,
    digest: hash.digest('hex'),
  };
}

interface SideFigures {
  ingestMs: number;
  /** CPU µs of this process (the index's client side) during the ingest calls */
  clientCpu: number;
  /** CPU µs of the redis-server during the ingest (INFO cpu) */
  serverCpu: number;
  objects: number;
  /** resting RSS growth (bundled: this process; redis: the server) */
  rss: number;
  /** bundled: V8 heap + external growth; redis: INFO used_memory growth */
  used: number;
  flat: PageFigures;
  delimited: PageFigures;
  /** redis: MEMORY USAGE (all samples) of each of the bucket's keys that exists, in bytes */
  structures?: Record<string, number>;
}

// ---- 1. the bundled engine, in a child process --------------------------------------------------------------------

async function bundledChild(): Promise<void> {
  if (!canForceGc()) throw new Error('run with node --expose-gc');
  const { rows } = genKeys(N);
  const points = pagePoints(rows);
  const index = new S3Index(createEngine());
  const rss0 = restingRss();
  gc();
  const heap0 = heapAndExternal();
  const { ms: ingestMs, cpu: clientCpu } = await ingestAll(index, rows, BUCKET);
  const rss1 = restingRss();
  gc();
  const heap1 = heapAndExternal();
  const stats = index.stats(BUCKET);
  if (!stats.ok) throw new Error(stats.error.message);
  const flat = await timePages(index, BUCKET, points.flat);
  const delimited = await timePages(index, BUCKET, points.delimited);
  const out: SideFigures = {
    ingestMs,
    clientCpu,
    serverCpu: 0,
    objects: stats.value.objects,
    rss: rss1 - rss0,
    used: heap1 - heap0,
    flat,
    delimited,
  };
  // the index is read after the last memory reading (bench/lib/memory.ts)
  process.send?.(out, () => process.exit(0));
}

function runBundled(): Promise<SideFigures> {
  const child = startChild(process.execPath, ['--expose-gc', '--max-semi-space-size=64', __filename, 'bundled'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let figures: SideFigures | undefined;
    child.once('message', (m) => {
      figures = m as SideFigures;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      figures ? resolve(figures) : reject(new Error(`the bundled child exited with ${code}`)),
    );
  });
}

// ---- 2. RedisIndex on one redis-server ----------------------------------------------------------------------------

/** The CPU time a redis-server has used, in µs (INFO cpu: used_cpu_user + used_cpu_sys, main thread and others). */
function serverCpuUs(port: number): number {
  const info = execFileSync('redis-cli', ['-p', String(port), 'info', 'cpu'], { encoding: 'utf8' });
  const field = (f: string): number => Number(new RegExp(`^${f}:(\\S+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function ready(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
}

async function runRedisServer(rows: KeyRow[]): Promise<SideFigures> {
  const points = pagePoints(rows);
  const server = await startRedis();
  let client: Redis | Cluster | undefined;
  try {
    client = connectRedis({ cluster: false, tls: false, nodes: [{ host: HOST, port: server.port }], db: 0 });
    await ready(client);
    const index = new RedisIndex(client);
    const rss0 = await redisRestingRss(server);
    const used0 = server.info('used_memory');
    const cpu0 = serverCpuUs(server.port);
    const { ms: ingestMs, cpu: clientCpu } = await ingestAll(index, rows, BUCKET);
    const serverCpu = serverCpuUs(server.port) - cpu0;
    const rss1 = await redisRestingRss(server);
    const used1 = server.info('used_memory');
    const stats = await index.stats(BUCKET);
    if (!stats.ok) throw new Error(stats.error.message);
    const structures: Record<string, number> = {};
    const names = redisKeyNames(BUCKET);
    for (const name of ['keys', 'meta', 'hist', 'tomb', 'verify', 'tombq', 'dirn', 'dirb'] as const) {
      const bytes = Number(server.cli('memory', 'usage', names[name], 'samples', '0').trim());
      if (bytes > 0) structures[name] = bytes;
    }
    const pages = async (requests: ListOptions[]): Promise<PageFigures> => {
      server.cli('config', 'resetstat');
      const f = await timePages(index, BUCKET, requests);
      const m = /^cmdstat_evalsha:calls=(\d+),usec=(\d+)/m.exec(server.cli('info', 'commandstats'));
      return { ...f, serverUs: m ? Number(m[2]) / Number(m[1]) : Number.NaN };
    };
    const flat = await pages(points.flat);
    const delimited = await pages(points.delimited);
    return {
      ingestMs,
      clientCpu,
      serverCpu,
      objects: stats.value.objects,
      rss: rss1 - rss0,
      used: used1 - used0,
      flat,
      delimited,
      structures,
    };
  } finally {
    client?.disconnect();
    await server.stop();
  }
}

// ---- 3. the 3-node cluster ----------------------------------------------------------------------------------------

interface WorkerJob {
  ports: number[];
  from: number;
  to: number;
}

/** A worker: builds its batches, connects, says 'ready'; on 'go' ingests them and says 'done'. */
async function workerChild(): Promise<void> {
  const job = JSON.parse(process.argv[3]!) as WorkerJob;
  const { rows } = genKeys(N);
  const batches: SqsBatch[] = [];
  for (let b = job.from; b < job.to; b++) batches.push(batchOf(rows, b, clusterBucket(b)));
  const client = connectRedis({
    cluster: true,
    tls: false,
    nodes: job.ports.map((port) => ({ host: HOST, port })),
    db: 0,
  });
  await ready(client);
  const index = new RedisIndex(client);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  let applied = 0;
  const c = process.cpuUsage();
  for (const batch of batches) {
    const out = await index.ingest(batch);
    if (out.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(out.rejected.slice(0, 3))}`);
    applied += out.applied;
  }
  client.disconnect();
  process.send?.({ applied, cpu: cpuUs(process.cpuUsage(c)) }, () => process.exit(0));
}

interface ClusterRun {
  workers: number;
  ms: number;
  /** CPU µs of the workers during their ingest, and of the 3 servers during the run */
  clientCpu: number;
  serverCpu: number;
  applied: number;
  counted: number;
  expected: number;
}

async function startCluster(dir: string): Promise<{ nodes: ChildServer[]; ports: number[] }> {
  const nodes: ChildServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await startServer('redis-server', ([port]) => [
          '--port',
          String(port),
          '--bind',
          HOST,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ]),
      );
    }
    const ports = nodes.map((n) => n.ports[0]!);
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30_000;
    for (const port of ports) {
      while (
        !/cluster_state:ok/.test(
          execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }),
        )
      ) {
        if (Date.now() > deadline) throw new Error(`cluster not ok on ${port} after 30 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { nodes, ports };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}

async function runCluster(rows: KeyRow[], ports: number[], workers: number): Promise<ClusterRun> {
  for (const port of ports) execFileSync('redis-cli', ['-p', String(port), 'flushall'], { stdio: 'ignore' });
  const nb = batchCount();
  const children: ChildProcess[] = [];
  for (let w = 0; w < workers; w++) {
    const job: WorkerJob = { ports, from: Math.floor((w * nb) / workers), to: Math.floor(((w + 1) * nb) / workers) };
    children.push(
      startChild(process.execPath, [__filename, 'worker', JSON.stringify(job)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
  }
  try {
    const message = (child: ChildProcess) =>
      new Promise<unknown>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`a worker exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (m) => {
          child.off('exit', onExit);
          resolve(m);
        });
      });
    await Promise.all(children.map(message));
    const cpu0 = ports.reduce((a, p) => a + serverCpuUs(p), 0);
    const t = performance.now();
    const done = children.map(message);
    for (const child of children) child.send('go');
    const results = (await Promise.all(done)) as Array<{ applied: number; cpu: number }>;
    const ms = performance.now() - t;
    const serverCpu = ports.reduce((a, p) => a + serverCpuUs(p), 0) - cpu0;
    // what the index holds: every bucket's object count against the distinct keys sent to it
    const client = connectRedis({
      cluster: true,
      tls: false,
      nodes: ports.map((port) => ({ host: HOST, port })),
      db: 0,
    });
    let counted = 0;
    let expected = 0;
    try {
      await ready(client);
      const index = new RedisIndex(client);
      for (let k = 0; k < CLUSTER_BUCKETS; k++) {
        const keys = new Set<string>();
        for (let b = k; b < nb; b += CLUSTER_BUCKETS)
          for (const r of rows.slice(b * BATCH, (b + 1) * BATCH)) keys.add(r.key);
        const s = await index.stats(`bench-${k}`);
        if (!s.ok) throw new Error(s.error.message);
        if (s.value.objects !== keys.size)
          throw new Error(`bench-${k}: ${s.value.objects} objects indexed, ${keys.size} sent (${workers} workers)`);
        counted += s.value.objects;
        expected += keys.size;
      }
    } finally {
      client.disconnect();
    }
    return {
      workers,
      ms,
      clientCpu: results.reduce((a, r) => a + r.cpu, 0),
      serverCpu,
      applied: results.reduce((a, r) => a + r.applied, 0),
      counted,
      expected,
    };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

// ---- the run ------------------------------------------------------------------------------------------------------

const us = (x: number): string => fmt(x, 0);
const perObject = (bytes: number, n: number): string => fmt(bytes / n, 1);

async function main(): Promise<void> {
  const { rows } = genKeys(N);
  const distinct = new Set(rows.map((r) => r.key)).size;
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  console.log(
    `${new Date().toISOString()}, commit ${commit}, node ${process.version}, ${os.cpus().length} cores, load ` +
      `${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )}; ${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(`${fmt(N)} events (${fmt(distinct)} distinct keys), batches of ${BATCH}, ${PAGES} pages of each kind\n`);

  const bundled = await runBundled();
  const redis = await runRedisServer(rows);
  for (const [name, f] of [
    ['bundled', bundled],
    ['redis', redis],
  ] as const)
    if (f.objects !== distinct) throw new Error(`${name}: stats counts ${f.objects} objects, ${distinct} sent`);

  const rate = (f: SideFigures): string => fmt(N / (f.ingestMs / 1000), 0);
  console.log('| measure | bundled engine (S3Index) | redis-server 7.0 (RedisIndex) |');
  console.log('|---|---:|---:|');
  console.log(`| ingest, events/s (batches of ${BATCH}) | ${rate(bundled)} | ${rate(redis)} |`);
  const cpuPer = (x: number): string => fmt(x / N, 1);
  console.log(
    `| ingest CPU µs/event: index process + redis-server | ${cpuPer(bundled.clientCpu)} | ` +
      `${cpuPer(redis.clientCpu)} + ${cpuPer(redis.serverCpu)} |`,
  );
  console.log(
    `| memory per object, resident (RSS growth) | ${perObject(bundled.rss, N)} B | ${perObject(redis.rss, N)} B |`,
  );
  console.log(
    `| memory per object, allocated (V8 heap+external / used_memory) | ${perObject(bundled.used, N)} B | ${perObject(redis.used, N)} B |`,
  );
  for (const [label, key] of [
    ['1000-key page after a random key', 'flat'],
    ["delimiter '/' page at a random folder", 'delimited'],
  ] as const) {
    const b = bundled[key];
    const r = redis[key];
    console.log(
      `| ${label}, p50 / p99 µs | ${us(b.p50)} / ${us(b.p99)} | ${us(r.p50)} / ${us(r.p99)} ` +
        `(LIST script on the server: mean ${us(r.serverUs ?? Number.NaN)}) |`,
    );
    if (b.digest !== r.digest) console.log(`|   **pages differ** (${key}) | ${b.digest} | ${r.digest} |`);
  }
  const split = Object.entries(redis.structures ?? {})
    .map(([name, bytes]) => `${name} ${perObject(bytes, N)}`)
    .join(', ');
  console.log(`\nredis-server, MEMORY USAGE per object: ${split}`);
  console.log(
    `entries per page: flat ${fmt(bundled.flat.entries)}, delimited ${fmt(bundled.delimited.entries)}; ` +
      `pages identical: flat ${bundled.flat.digest === redis.flat.digest ? 'yes' : 'NO'}, ` +
      `delimited ${bundled.delimited.digest === redis.delimited.digest ? 'yes' : 'NO'}; ` +
      `objects counted by stats: ${fmt(bundled.objects)} / ${fmt(redis.objects)}\n`,
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-cluster-'));
  const runs: ClusterRun[] = [];
  try {
    const { nodes, ports } = await startCluster(dir);
    try {
      for (const w of WORKERS) runs.push(await runCluster(rows, ports, w));
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`3-node cluster (no replicas), ${CLUSTER_BUCKETS} buckets, batch b → bench-(b mod 8):\n`);
  console.log('| workers | events/s | × 1 worker | CPU µs/event: workers + 3 servers | objects indexed (stats) |');
  console.log('|---:|---:|---:|---:|---:|');
  const base = runs[0] ? N / runs[0].ms : 1;
  for (const r of runs)
    console.log(
      `| ${r.workers} | ${fmt((N / r.ms) * 1000, 0)} | ${fmt(N / r.ms / base, 2)} | ` +
        `${fmt(r.clientCpu / N, 1)} + ${fmt(r.serverCpu / N, 1)} | ${fmt(r.counted)} of ${fmt(r.expected)} |`,
    );
}

const role = process.argv[2];
(role === 'bundled' ? bundledChild() : role === 'worker' ? workerChild() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
