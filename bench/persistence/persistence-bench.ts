/**
 * The `persistence` section of `npm run bench`: our snapshots and log against redis-server's RDB, on the same N
 * objects (bench/data/genkeys.mjs rows) in the same run.
 *
 * - Redis: the seed's layout (one zset + one hash per object, `toresp.mjs full`) bulk-loaded with redis-cli --pipe;
 *   SAVE into a temporary directory (time, dump.rdb size, used_memory_rss); then redis-server restarted on that dump,
 *   timed from spawn until PING answers +PONG (not -LOADING), with the load time it logs itself.
 * - Ours, in child processes (`__persistence-child`, so that one measure's garbage does not pollute another's RSS):
 *   `ingest`: the N objects ingested as EventBridge events through S3Index.ingest (as the index section does), then
 *   one snapshot per deflate level (0, 1, 6) into its own directory (FsBlobStore + Durable.snapshot);
 *   `restore`: a fresh process restores a directory as `serve` does (Persistence.open: Durable.open + the write log),
 *   answers a first 1000-key listing, measures its RSS at rest after a forced GC; in `full` mode it then writes a
 *   snapshot (WriteLog.snapshot, as BGSAVE) and times ingest batches of 100 events through the durable index
 *   (acknowledged once their log segment is committed: fsync of the segment, manifest replaced).
 * Peak RSS: process.memoryUsage().rss sampled every 10 ms, and the kernel's high-water mark (VmHWM, reset through
 * /proc/self/clear_refs before each measure), whichever is higher.
 *
 *   node --expose-gc dist/bench.js persistence                         (BENCH_N objects, default 1,000,000)
 *   node --expose-gc dist/bench.js __persistence-child ingest N DIR     (one child alone, e.g. to profile a restore:)
 *   node --expose-gc --cpu-prof dist/bench.js __persistence-child restore DIR/ours-1 restore-only
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Durable } from '../../src/persistence/durable';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { createEngine } from '../../src/service/create-engine';
import { INDEX_WEIGHTS, Persistence } from '../../src/service/persistence';
import { S3Index } from '../../src/service/s3-index';
import { type ChildServer, freePort, runChild, startChild, startServer, stopChild } from '../lib/child-processes';
import { TORESP } from '../lib/data';
import { objectCreatedEvent } from '../lib/events';
import { type BenchRedis, fmt, genKeys, type KeyRow, percentile } from '../lib/redis';

/** the index section's bucket (a valid S3 name), and the one toresp.mjs names the Redis keys after */
const BUCKET = 'bench-bucket';
const LEVELS = [0, 1, 6] as const;
/** the level the service writes (Durable's default), restored three times */
const DEFAULT_LEVEL = 1;
const LOG_BATCHES = Number(process.env.BENCH_LOG_BATCHES ?? 1000);
const LOG_BATCH_EVENTS = 100;
const LOG_WARMUP = 20;
const REDIS_RESTARTS = 3;
const CHILD_FLAGS = ['--expose-gc', '--max-semi-space-size=64']; // as `s3-index serve` runs (bin/s3-index.js)

const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gcNow = (): void => (globalThis as { gc?: () => void }).gc?.();
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ---------------------------------------------------------------------------------------------------------------
// RSS

/** Samples this process's RSS every 10 ms and reads the kernel's high-water mark: the peak of a measured stretch. */
class RssPeak {
  private peak = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;
  private readonly hwm: boolean;

  constructor() {
    let reset = false;
    try {
      fs.writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS (Linux ≥ 4.0)
      reset = true;
    } catch {
      // not Linux, or not allowed: the samples alone
    }
    this.hwm = reset;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 10);
    this.timer.unref(); // a failed measure must not keep the process alive
  }

  stop(): { sampled: number; peak: number } {
    clearInterval(this.timer);
    const sampled = Math.max(this.peak, process.memoryUsage().rss);
    let hwm = 0;
    if (this.hwm) {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      hwm = m ? Number(m[1]) * 1024 : 0;
    }
    return { sampled, peak: Math.max(sampled, hwm) };
  }
}

/**
 * RSS at rest after forced GCs: the least of twelve readings 300 ms apart. V8 gives the pages a GC freed back to the
 * OS lazily: after a restore of 100k objects the RSS stays ~40 % above its resting level for about 1.5 s.
 */
function restingRss(): number {
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 12; round++) {
    gcNow();
    gcNow();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    least = Math.min(least, process.memoryUsage().rss);
  }
  return least;
}

// ---------------------------------------------------------------------------------------------------------------
// child processes

function events(rows: readonly KeyRow[], from: number, to: number, seqBase: number): unknown[] {
  const batch: unknown[] = [];
  for (let i = from; i < Math.min(rows.length, to); i++) {
    const r = rows[i]!;
    batch.push(
      objectCreatedEvent({
        id: `e${seqBase + i}`,
        bucket: BUCKET,
        key: r.key,
        size: r.size,
        etag: r.etag,
        time: r.mtime,
        sequencer: (seqBase + i).toString(16).toUpperCase().padStart(18, '0'),
        storage: r.storageClass,
      }),
    );
  }
  // as a Lambda handler or the HTTP route gets them: JSON.parse of their text (see bench/index/index-bench.ts)
  return JSON.parse(JSON.stringify(batch));
}

interface SnapshotFigures {
  level: number;
  bytes: number;
  ms: number;
  cpuMs: number;
  rssBefore: number;
  rssPeak: number;
}

interface IngestResult {
  objects: number;
  ingestMs: number;
  snapshots: SnapshotFigures[];
}

/** `ingest N DIR`: N objects through the real ingest path, then a snapshot per deflate level into DIR/ours-<level>. */
async function ingestChild(n: number, dir: string): Promise<IngestResult> {
  const engine = createEngine();
  const index = new S3Index(engine);
  let objects = 0;
  const t0 = performance.now();
  (function ingestAll() {
    const rows = genKeys(n).rows;
    for (let start = 0; start < rows.length; start += 10_000) {
      const o = index.ingest(events(rows, start, start + 10_000, 0x1000000));
      if (o.rejected.length > 0) throw new Error(`ingest rejected ${JSON.stringify(o.rejected[0])}`);
      objects += o.applied;
    }
  })();
  const ingestMs = performance.now() - t0;
  const snapshots: SnapshotFigures[] = [];
  for (const level of LEVELS) {
    const store = await FsBlobStore.open(path.join(dir, `ours-${level}`));
    // an empty store, opened with an engine of its own (Durable.open swaps the store's state into the engine it is
    // given: here nothing), then the ingested engine is snapshotted into it
    const { durable } = await Durable.open(createEngine(), { store, weights: INDEX_WEIGHTS, deflateLevel: level });
    const rssBefore = restingRss();
    const rss = new RssPeak();
    const c0 = cpuMs();
    const w0 = performance.now();
    const ref = await durable.snapshot(engine, { meta: { server: 's3-index', bench: true } });
    const wall = performance.now() - w0;
    const cpu = cpuMs() - c0;
    const { peak } = rss.stop();
    if (ref === undefined) throw new Error('no snapshot written');
    snapshots.push({ level, bytes: ref.bytes, ms: wall, cpuMs: cpu, rssBefore, rssPeak: peak });
  }
  return { objects, ingestMs, snapshots };
}

interface RestoreResult {
  keys: number;
  restoreMs: number;
  restoreCpuMs: number;
  /** Durable.open's own figure */
  durableMs: number;
  firstListMs: number;
  /** since the process started (node start-up and module loading included) */
  processMs: number;
  rssStart: number;
  rssPeak: number;
  rssSampledPeak: number;
  rssRest: number;
  snapshot?: { bytes: number; ms: number; rssBefore: number; rssPeak: number };
  log?: {
    batches: number;
    ackP50: number;
    ackP99: number;
    ackMax: number;
    flushP50: number;
    flushP99: number;
    flushMax: number;
    /** median of the first and of the last 100 acknowledgements (the manifest grows with every segment) */
    firstP50: number;
    lastP50: number;
    segmentBytes: number;
  };
}

/**
 * `restore DIR restore-only|full`: restores DIR into a fresh engine and answers a first listing; `full` then
 * snapshots and measures log appends (DIR is changed: run it last on a directory).
 */
async function restoreChild(dir: string, mode: string): Promise<RestoreResult> {
  const rssStart = process.memoryUsage().rss;
  const rss = new RssPeak();
  const c0 = cpuMs();
  const t0 = performance.now();
  const engine = createEngine();
  const persistence = await Persistence.open(engine, {
    store: await FsBlobStore.open(dir),
    policy: 'always',
    saveRules: [],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const restoreMs = performance.now() - t0;
  const restoreCpuMs = cpuMs() - c0;
  const index = new S3Index(engine);
  const page = index.listObjectsV2(BUCKET, { maxKeys: 1000 });
  if (!page.ok || page.value.keyCount !== 1000) throw new Error('the first listing after the restore is not full');
  const firstListMs = performance.now() - t0;
  const processMs = performance.now();
  const peaks = rss.stop();
  const result: RestoreResult = {
    keys: persistence.restored.keys,
    restoreMs,
    restoreCpuMs,
    durableMs: persistence.restored.ms,
    firstListMs,
    processMs,
    rssStart,
    rssPeak: peaks.peak,
    rssSampledPeak: peaks.sampled,
    rssRest: restingRss(),
  };
  if (mode !== 'full') return result;

  // a snapshot of the restored engine, as BGSAVE writes it
  {
    const rssBefore = restingRss();
    const peak = new RssPeak();
    const w0 = performance.now();
    const ref = await persistence.writeLog.snapshot({ server: 's3-index', bench: true });
    const wall = performance.now() - w0;
    if (ref === undefined) throw new Error('no snapshot written');
    result.snapshot = { bytes: ref.bytes, ms: wall, rssBefore, rssPeak: peak.stop().peak };
  }

  // ingest batches of 100 events through the durable index: each answered once its segment is committed
  const rows = genKeys((LOG_BATCHES + LOG_WARMUP) * LOG_BATCH_EVENTS, 7).rows;
  const durable = persistence.durableIndex(index);
  const wl = persistence.writeLog;
  const flushes: number[] = [];
  const flush = wl.flush.bind(wl);
  wl.flush = () => {
    const f0 = performance.now();
    return flush().then(() => {
      flushes.push(performance.now() - f0);
    });
  };
  const acks: number[] = [];
  for (let b = 0; b < LOG_BATCHES + LOG_WARMUP; b++) {
    const batch = events(rows, b * LOG_BATCH_EVENTS, (b + 1) * LOG_BATCH_EVENTS, 0x4000000);
    const a0 = performance.now();
    const outcome = await durable.ingest(batch);
    if (b >= LOG_WARMUP) acks.push(performance.now() - a0);
    if (outcome.applied + outcome.stale + outcome.duplicate !== LOG_BATCH_EVENTS)
      throw new Error(`batch ${b}: ${JSON.stringify(outcome)}`);
  }
  const ackOrder = acks.slice();
  const flushTimes = flushes.slice(-LOG_BATCHES).sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  const logDir = path.join(dir, 'log');
  const segmentBytes = fs.existsSync(logDir)
    ? fs.readdirSync(logDir).reduce((s, f) => s + fs.statSync(path.join(logDir, f)).size, 0)
    : 0;
  result.log = {
    batches: acks.length,
    ackP50: percentile(acks, 0.5),
    ackP99: percentile(acks, 0.99),
    ackMax: acks[acks.length - 1]!,
    flushP50: percentile(flushTimes, 0.5),
    flushP99: percentile(flushTimes, 0.99),
    flushMax: flushTimes[flushTimes.length - 1]!,
    firstP50: median(ackOrder.slice(0, 100)),
    lastP50: median(ackOrder.slice(-100)),
    segmentBytes: segmentBytes / (LOG_BATCHES + LOG_WARMUP),
  };
  await persistence.close({ snapshot: false });
  return result;
}

/** Child side (`__persistence-child …`): prints its figures as the last line of JSON. */
export async function persistenceChild(args: string[]): Promise<void> {
  const [what, a, b] = args;
  const out =
    what === 'ingest'
      ? await ingestChild(Number(a), b!)
      : what === 'restore'
        ? await restoreChild(a!, b ?? 'restore-only')
        : undefined;
  if (out === undefined) throw new Error(`unknown persistence child '${what}'`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function child<T>(args: string[]): Promise<T> {
  const out = await runChild(process.execPath, [...CHILD_FLAGS, process.argv[1]!, '__persistence-child', ...args]);
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// redis-server

interface RedisFigures {
  keys: number;
  rdbBytes: number;
  saveMs: number;
  rssLoaded: number;
  /** per restart: spawn → +PONG, the load time it logs, RSS once loaded */
  restarts: Array<{ readyMs: number; loggedMs: number; rss: number }>;
}

/** One PING on a new connection: 'PONG', 'LOADING' (or another error), or 'down' (no connection). */
function ping(port: number): Promise<'PONG' | 'LOADING' | 'down'> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (!got.includes('\r\n')) return;
      s.destroy();
      resolve(got.startsWith('+PONG') ? 'PONG' : 'LOADING');
    });
    s.once('error', () => resolve('down'));
    s.once('close', () => resolve('down'));
  });
}

/** redis-cli on a server of this run (bench/lib/redis.ts's client, for a server started with other options) */
function redisClient(server: Pick<ChildServer, 'ports' | 'stop'>): Omit<BenchRedis, 'port'> {
  const cli = (...args: string[]): string =>
    execFileSync('redis-cli', ['-p', String(server.ports[0]), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return {
    cli,
    info(field) {
      const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(cli('info', 'all'));
      return m ? Number(m[1]) : Number.NaN;
    },
    async pipe(respFile) {
      await runChild('sh', ['-c', `redis-cli -p ${server.ports[0]} --pipe < '${respFile}'`]);
    },
    stop: () => server.stop(),
  };
}

/** redis-server started on `dir`/dump.rdb: ms from spawn until PING answers +PONG, and what it logged. */
async function restartRedis(dir: string): Promise<{ readyMs: number; loggedMs: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const server: ChildProcess = startChild(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb'],
      ...['--save', '', '--appendonly', 'no'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  server.stdout?.on('data', (d: Buffer) => {
    log += d.toString('utf8');
  });
  try {
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`redis-server exited:\n${log}`);
      if (performance.now() - t0 > 120_000) throw new Error(`redis-server not ready after 120 s:\n${log}`);
      if ((await ping(port)) === 'PONG') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const readyMs = performance.now() - t0;
    const redis = redisClient({ ports: [port], stop: () => stopChild(server) });
    if (redis.info('loading') !== 0) throw new Error('redis-server answered PING while loading');
    const logged = /DB loaded from disk: ([\d.]+) seconds/.exec(log);
    return { readyMs, loggedMs: logged ? Number(logged[1]) * 1000 : Number.NaN, rss: redis.info('used_memory_rss') };
  } finally {
    await stopChild(server);
  }
}

async function redisSide(n: number, work: string): Promise<RedisFigures> {
  const { file } = genKeys(n);
  const resp = path.join(work, 'full.resp');
  await runChild(process.execPath, [TORESP, file, 'full', BUCKET], { stdout: { file: resp } });
  const dir = path.join(work, 'redis');
  fs.mkdirSync(dir);
  // started on the directory (CONFIG SET dir is refused: a protected config in Redis 7)
  const server = await startServer('redis-server', ([port]) => [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb'],
    ...['--save', '', '--appendonly', 'no'],
  ]);
  const redis = redisClient(server);
  let figures: Omit<RedisFigures, 'restarts'>;
  try {
    await redis.pipe(resp);
    fs.rmSync(resp);
    const keys = Number(redis.cli('dbsize').trim());
    redis.cli('ping'); // the client's start-up, before the timed SAVE
    const t = performance.now();
    const reply = redis.cli('save').trim();
    const saveMs = performance.now() - t;
    if (reply !== 'OK') throw new Error(`SAVE: ${reply}`);
    figures = {
      keys,
      saveMs,
      rdbBytes: fs.statSync(path.join(dir, 'dump.rdb')).size,
      rssLoaded: redis.info('used_memory_rss'),
    };
  } finally {
    await redis.stop();
  }
  const restarts = [];
  for (let r = 0; r < REDIS_RESTARTS; r++) restarts.push(await restartRedis(dir));
  return { ...figures, restarts };
}

// ---------------------------------------------------------------------------------------------------------------
// the section

const verdict = (ok: boolean): string => (ok ? '**met**' : '**missed**');

export async function benchPersistence(n: number): Promise<string[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-bench-persistence-'));
  try {
    const redis = await redisSide(n, work);
    const ours = await child<IngestResult>(['ingest', String(n), work]);
    const dirOf = (level: number) => path.join(work, `ours-${level}`);
    const restores: Record<number, RestoreResult[]> = {};
    for (const level of LEVELS) {
      if (level === DEFAULT_LEVEL) continue;
      restores[level] = [await child<RestoreResult>(['restore', dirOf(level), 'restore-only'])];
    }
    const def: RestoreResult[] = [];
    for (let r = 0; r < 2; r++) def.push(await child<RestoreResult>(['restore', dirOf(DEFAULT_LEVEL), 'restore-only']));
    // the last round goes on with a snapshot and the log appends (they change the directory)
    const full = await child<RestoreResult>(['restore', dirOf(DEFAULT_LEVEL), 'full']);
    def.push(full);
    restores[DEFAULT_LEVEL] = def;

    const rdb = redis.rdbBytes;
    const snap = (level: number) => ours.snapshots.find((s) => s.level === level)!;
    const redisReady = median(redis.restarts.map((r) => r.readyMs));
    const redisLogged = median(redis.restarts.map((r) => r.loggedMs));
    const redisRss = median(redis.restarts.map((r) => r.rss));
    const medianOf = (level: number, f: (r: RestoreResult) => number) => median(restores[level]!.map(f));
    const listMs = medianOf(DEFAULT_LEVEL, (r) => r.firstListMs);
    const peakRatio = (r: RestoreResult) => r.rssPeak / r.rssRest;
    const lines = [
      `### persistence: ${fmt(ours.objects, 0)} indexed objects (bucket "${BUCKET}") vs redis-server 7.0 with the ` +
        `seed's layout of the same objects (${fmt(redis.keys, 0)} keys: a zset + a hash per object)`,
      '',
      '| snapshot | bytes | B/object | ÷ RDB | write (wall) | write (CPU) | restore → first listing |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...LEVELS.map((level) => {
        const s = snap(level);
        return (
          `| ours, deflate ${level}${level === DEFAULT_LEVEL ? ' (default)' : ''} | ${fmt(s.bytes, 0)} | ` +
          `${(s.bytes / ours.objects).toFixed(1)} | ${(s.bytes / rdb).toFixed(3)}× | ${ms(s.ms)} | ` +
          `${ms(s.cpuMs)} | ${ms(medianOf(level, (r) => r.firstListMs))} |`
        );
      }),
      `| redis-server dump.rdb (SAVE) | ${fmt(rdb, 0)} | ${(rdb / ours.objects).toFixed(1)} | 1× | ` +
        `${ms(redis.saveMs)} | — | ${ms(redisReady)} (spawn → PONG; it logs ${ms(redisLogged)} loading) |`,
      '',
      `- snapshot size, deflate ${DEFAULT_LEVEL}: ${(snap(DEFAULT_LEVEL).bytes / rdb).toFixed(3)}× the RDB ` +
        `(goal ≤ 0.25×: ${verdict(snap(DEFAULT_LEVEL).bytes / rdb <= 0.25)}); deflate 6: ` +
        `${(snap(6).bytes / rdb).toFixed(3)}×, none: ${(snap(0).bytes / rdb).toFixed(3)}×`,
      `- restore of the deflate-${DEFAULT_LEVEL} snapshot into a fresh process (Persistence.open: Durable.open + ` +
        `write log), rounds: ${def.map((r) => `${ms(r.restoreMs)} (${ms(r.restoreCpuMs)} CPU)`).join(', ')}; ` +
        `first 1000-key listing answered at ${def.map((r) => ms(r.firstListMs)).join(', ')} ` +
        `(median ${ms(listMs)}, goal ≤ 500 ms: ${verdict(listMs <= 500)}; ` +
        `${(listMs / redisReady).toFixed(2)}× redis-server's spawn → PONG, ` +
        `${(listMs / redisLogged).toFixed(2)}× its logged load time); from process start: ` +
        `${ms(medianOf(DEFAULT_LEVEL, (r) => r.processMs))}`,
      `- redis-server restarts on the dump: ${redis.restarts.map((r) => `${ms(r.readyMs)} (logged ${ms(r.loggedMs)})`).join(', ')}`,
      `- snapshot write (FsBlobStore, fsync'd; in the ingest process): ` +
        `${LEVELS.map((l) => `deflate ${l} ${ms(snap(l).ms)}`).join(', ')}; ` +
        `${(snap(DEFAULT_LEVEL).ms / redis.saveMs).toFixed(2)}× redis SAVE (${ms(redis.saveMs)}); ` +
        `after the restore (WriteLog.snapshot, as BGSAVE): ${ms(full.snapshot!.ms)}`,
    ];
    const log = full.log!;
    lines.push(
      `- log append, ${log.batches} ingest batches of ${LOG_BATCH_EVENTS} events through the durable index ` +
        `(appendfsync irrelevant: ingest always waits for its commit): acknowledged in p50 ${ms(log.ackP50)}, ` +
        `p99 ${ms(log.ackP99)}, max ${ms(log.ackMax)}; of which WriteLog.flush p50 ${ms(log.flushP50)}, ` +
        `p99 ${ms(log.flushP99)}, max ${ms(log.flushMax)}; median of the first 100 ${ms(log.firstP50)}, of the ` +
        `last 100 ${ms(log.lastP50)}; ${fmt(log.segmentBytes, 0)} B of segment per batch`,
    );
    lines.push(
      `- RSS of the restore process (sampled every 10 ms + VmHWM): at start ${mib(full.rssStart)}, peak during ` +
        `the restore ${def.map((r) => mib(r.rssPeak)).join(', ')}, at rest after it + forced GC ` +
        `${def.map((r) => mib(r.rssRest)).join(', ')}: peak ÷ rest ` +
        `${def.map((r) => `${peakRatio(r).toFixed(2)}×`).join(', ')} (goal ≤ 1.25×: ` +
        `${verdict(median(def.map(peakRatio)) <= 1.25)})`,
      `- RSS during a snapshot of the restored engine: ${mib(full.snapshot!.rssBefore)} before, peak ` +
        `${mib(full.snapshot!.rssPeak)}: ${(full.snapshot!.rssPeak / full.rssRest).toFixed(2)}× the rest RSS ` +
        `(goal ≤ 1.25×: ${verdict(full.snapshot!.rssPeak / full.rssRest <= 1.25)}); in the ingest process ` +
        `(its garbage included): ${LEVELS.map((l) => `deflate ${l} ${mib(snap(l).rssBefore)} → ${mib(snap(l).rssPeak)}`).join(', ')}`,
      `- redis-server used_memory_rss at rest: ${mib(redisRss)} restarted on the dump (${mib(redis.rssLoaded)} after ` +
        `the bulk load); ours at rest after the restore ${mib(full.rssRest)}: ` +
        `${(median(def.map((r) => r.rssRest)) / redisRss).toFixed(2)}×`,
      `- other levels' restores: ${LEVELS.filter((l) => l !== DEFAULT_LEVEL)
        .map((l) => {
          const r = restores[l]![0]!;
          return `deflate ${l}: ${ms(r.restoreMs)} (${ms(r.restoreCpuMs)} CPU), peak RSS ${mib(r.rssPeak)} ÷ rest ${mib(r.rssRest)} = ${peakRatio(r).toFixed(2)}×`;
        })
        .join('; ')}`,
      `- ingest of the ${fmt(ours.objects, 0)} objects before the snapshots: ${ms(ours.ingestMs)}`,
    );
    return lines;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
