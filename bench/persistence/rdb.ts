/**
 * The `rdb` section of `npm run bench` (`npm run bench -- rdb`): RDB export and import against redis-server's own
 * SAVE and load, on the same N keys (BENCH_N, default 1,000,000) in the same run.
 *
 * Data: mostly strings (90 %: text of 20-60 bytes, every tenth an integer, 1 % with a TTL), and 2.5 % each of small
 * hashes, sorted sets, lists and sets (5 fields or members), plus one large one of each (10,000), generated the same
 * way for both sides (`commands(n)`): written as RESP and loaded into redis-server with `redis-cli --pipe`, executed
 * through engine.execute in our child.
 *
 * - Export: ours is writeRdb to a file (as `s3-index export` does; in a child process that first builds the engine)
 *   against redis-server's SAVE (redis-cli SAVE, wall time).
 * - Import: ours is read the file + parseRdb + applyRdb into a fresh engine (as `s3-index import` does, without the
 *   store), against redis-server started on the same file, timed from spawn until PING answers +PONG (not LOADING),
 *   with the load time it logs. Both files are loaded both ways: redis-server's dump.rdb (listpack, intset, quicklist
 *   encodings) and ours (plain LIST, SET, HASH, ZSET_2 encodings).
 * - RSS: ours at rest after forced GCs and the peak during the measure (sampled every 10 ms, and the kernel's VmHWM);
 *   redis-server's used_memory_rss after MEMORY PURGE.
 *
 *   node --expose-gc dist/bench.js rdb                                (BENCH_N keys)
 *   node --expose-gc dist/bench.js __rdb-child import FILE            (one child alone, e.g. to profile it)
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../../src/engine/engine';
import { applyRdb, parseRdb } from '../../src/persistence/rdb/read';
import { writeRdb } from '../../src/persistence/rdb/write';
import { createEngine } from '../../src/service/create-engine';
import { freePort, runChild, startChild, startServer, stopChild } from '../lib/child-processes';
import { fmt } from '../lib/redis';

const CHILD_FLAGS = ['--expose-gc', '--max-semi-space-size=64'];
const ROUNDS = Number(process.env.BENCH_RDB_ROUNDS ?? 3);
const BIG = 10_000;

const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gcNow = (): void => (globalThis as { gc?: () => void }).gc?.();

// ---------------------------------------------------------------------------------------------------------------
// the data

/** The commands that build the data set, in order (deterministic). */
export function* commands(n: number): Generator<string[]> {
  const fields = (prefix: string, count: number) => Array.from({ length: count }, (_, j) => `${prefix}${j}`);
  yield ['HSET', 'big:hash', ...fields('f', BIG).flatMap((f, j) => [f, `value-${j}`])];
  yield ['ZADD', 'big:zset', ...fields('m', BIG).flatMap((m, j) => [String(j / 3), m])];
  yield ['RPUSH', 'big:list', ...fields('e', BIG)];
  yield ['SADD', 'big:set', ...fields('s', BIG)];
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < n - 4; i++) {
    switch (i % 40) {
      case 0:
        yield ['HSET', `h:${i}`, 'name', `object-${i}`, 'size', String(i * 7), 'etag', `e${i}`, 'a', 'x', 'b', 'y'];
        break;
      case 1:
        yield ['ZADD', `z:${i}`, '1', 'a', '2.5', 'b', String(i), 'c', '-1', 'd', '0', `m${i}`];
        break;
      case 2:
        yield ['RPUSH', `l:${i}`, 'one', 'two', String(i), 'four', 'five'];
        break;
      case 3:
        yield i % 80 === 3
          ? ['SADD', `s:${i}`, '1', '2', '3', String(i), '100000']
          : ['SADD', `s:${i}`, 'red', 'green', 'blue', `c${i}`, 'black'];
        break;
      default: {
        const v = i % 10 === 5 ? String(i * 13) : `${i}:${filler.slice(0, 20 + (i % 41))}`;
        yield i % 100 === 7 ? ['SET', `k:${i}`, v, 'PX', '3600000'] : ['SET', `k:${i}`, v];
      }
    }
  }
}

function resp(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

function writeRespFile(n: number, file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    let buf: string[] = [];
    for (const argv of commands(n)) {
      buf.push(resp(argv));
      if (buf.length >= 5000) {
        fs.writeSync(fd, buf.join(''));
        buf = [];
      }
    }
    fs.writeSync(fd, buf.join(''));
  } finally {
    fs.closeSync(fd);
  }
}

function buildEngine(n: number): Engine {
  const engine = createEngine();
  for (const argv of commands(n)) {
    const r = engine.execute(argv.map((a) => Buffer.from(a, 'latin1')));
    if (r.t === 'error') throw new Error(`${argv[0]}: ${r.v}`);
  }
  return engine;
}

// ---------------------------------------------------------------------------------------------------------------
// RSS

class RssPeak {
  private peak = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;
  private readonly hwm: boolean;

  constructor() {
    let reset = false;
    try {
      fs.writeFileSync('/proc/self/clear_refs', '5');
      reset = true;
    } catch {
      // not Linux: the samples alone
    }
    this.hwm = reset;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 10);
    this.timer.unref();
  }

  stop(): number {
    clearInterval(this.timer);
    let hwm = 0;
    if (this.hwm) {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      hwm = m ? Number(m[1]) * 1024 : 0;
    }
    return Math.max(this.peak, process.memoryUsage().rss, hwm);
  }
}

function restingRss(): number {
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 8; round++) {
    gcNow();
    gcNow();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    least = Math.min(least, process.memoryUsage().rss);
  }
  return least;
}

// ---------------------------------------------------------------------------------------------------------------
// our side, in child processes

interface ExportFigures {
  keys: number;
  bytes: number;
  ms: number;
  buildMs: number;
  rssAtRest: number;
  rssPeak: number;
}

interface ImportFigures {
  keys: number;
  ms: number;
  rssAtRest: number;
  rssPeak: number;
}

async function writeFile(file: string, engine: Engine): Promise<{ keys: number; bytes: number }> {
  const out = fs.createWriteStream(file);
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  const r = await writeRdb(engine.dbs, async (chunk) => {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  });
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return r;
}

/** `__rdb-child export N FILE` | `__rdb-child import FILE`: one JSON line of figures on stdout. */
export async function rdbChild(args: string[]): Promise<void> {
  const [what] = args;
  if (what === 'export') {
    const n = Number(args[1]);
    const file = args[2]!;
    const t0 = performance.now();
    const engine = buildEngine(n);
    const buildMs = performance.now() - t0;
    const rssAtRest = restingRss();
    const peak = new RssPeak();
    const t = performance.now();
    const r = await writeFile(file, engine);
    const ms = performance.now() - t;
    const figures: ExportFigures = { ...r, ms, buildMs, rssAtRest, rssPeak: peak.stop() };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  if (what === 'import') {
    const file = args[1]!;
    gcNow();
    const peak = new RssPeak();
    const t = performance.now();
    const engine = createEngine();
    const staged = parseRdb(fs.readFileSync(file), { databases: engine.dbs.length });
    const applied = applyRdb(engine.dbs, staged);
    const ms = performance.now() - t;
    const rssPeak = peak.stop();
    const figures: ImportFigures = { keys: applied.keys, ms, rssAtRest: restingRss(), rssPeak };
    // the engine is read after the last reading: it stays reachable (and counted) until then
    if (engine.dbs[0]!.size !== applied.keys) throw new Error('keys lost');
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  throw new Error(`__rdb-child: unknown measure '${what}'`);
}

async function child<T>(dist: string, args: string[]): Promise<T> {
  const out = await runChild(process.execPath, [...CHILD_FLAGS, dist, '__rdb-child', ...args]);
  const last = out.trim().split('\n').pop()!;
  return JSON.parse(last) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// redis-server

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

const cliAt =
  (port: number) =>
  (...args: string[]): string =>
    execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });

function infoField(cli: (...a: string[]) => string, field: string): number {
  const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(cli('info', 'all'));
  return m ? Number(m[1]) : Number.NaN;
}

async function restingRedisRss(cli: (...a: string[]) => string): Promise<number> {
  cli('memory', 'purge');
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 250));
    least = Math.min(least, infoField(cli, 'used_memory_rss'));
  }
  return least;
}

interface RedisLoad {
  readyMs: number;
  loggedMs: number;
  keys: number;
  rss: number;
}

/** redis-server started on dir/file: ms from spawn until PING answers +PONG, the load time it logs, keys, RSS. */
async function redisLoad(dir: string, file: string): Promise<RedisLoad> {
  const port = await freePort();
  const t0 = performance.now();
  const server: ChildProcess = startChild(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', file],
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
      if (performance.now() - t0 > 300_000) throw new Error(`redis-server not ready after 300 s:\n${log}`);
      if ((await ping(port)) === 'PONG') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const readyMs = performance.now() - t0;
    const cli = cliAt(port);
    if (infoField(cli, 'loading') !== 0) throw new Error('redis-server answered PING while loading');
    const logged = /DB loaded from disk: ([\d.]+) seconds/.exec(log);
    const keys = Number(cli('dbsize').trim());
    return { readyMs, loggedMs: logged ? Number(logged[1]) * 1000 : Number.NaN, keys, rss: await restingRedisRss(cli) };
  } finally {
    await stopChild(server);
  }
}

interface RedisSave {
  keys: number;
  saveMs: number[];
  bytes: number;
  rss: number;
  redisVersion: string;
}

async function redisSave(n: number, work: string): Promise<RedisSave> {
  const respFile = path.join(work, 'load.resp');
  writeRespFile(n, respFile);
  const dir = path.join(work, 'redis');
  fs.mkdirSync(dir);
  const server = await startServer('redis-server', ([port]) => [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb'],
    ...['--save', '', '--appendonly', 'no'],
  ]);
  const cli = cliAt(server.ports[0]!);
  try {
    await runChild('sh', ['-c', `redis-cli -p ${server.ports[0]} --pipe < '${respFile}'`]);
    fs.rmSync(respFile);
    const keys = Number(cli('dbsize').trim());
    const saveMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      cli('ping');
      const t = performance.now();
      const reply = cli('save').trim();
      saveMs.push(performance.now() - t);
      if (reply !== 'OK') throw new Error(`SAVE: ${reply}`);
    }
    return {
      keys,
      saveMs,
      bytes: fs.statSync(path.join(dir, 'dump.rdb')).size,
      rss: await restingRedisRss(cli),
      redisVersion: /^redis_version:(\S+)/m.exec(cli('info', 'server'))?.[1] ?? '?',
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the section

export async function benchRdb(n: number, dist: string): Promise<string[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-bench-rdb-'));
  try {
    const redis = await redisSave(n, work);
    const redisDir = path.join(work, 'redis');
    const oursDir = path.join(work, 'ours');
    fs.mkdirSync(oursDir);
    const exports: ExportFigures[] = [];
    for (let r = 0; r < ROUNDS; r++)
      exports.push(await child<ExportFigures>(dist, ['export', String(n), path.join(oursDir, 'dump.rdb')]));
    const ex = exports[exports.length - 1]!;
    if (ex.keys !== redis.keys) throw new Error(`our export wrote ${ex.keys} keys, redis-server holds ${redis.keys}`);
    const importsOf = async (file: string) => {
      const out: ImportFigures[] = [];
      for (let r = 0; r < ROUNDS; r++) out.push(await child<ImportFigures>(dist, ['import', file]));
      return out;
    };
    const loadsOf = async (dir: string) => {
      const out: RedisLoad[] = [];
      for (let r = 0; r < ROUNDS; r++) out.push(await redisLoad(dir, 'dump.rdb'));
      return out;
    };
    const oursOfRedis = await importsOf(path.join(redisDir, 'dump.rdb'));
    const redisOfRedis = await loadsOf(redisDir);
    const oursOfOurs = await importsOf(path.join(oursDir, 'dump.rdb'));
    const redisOfOurs = await loadsOf(oursDir);
    for (const x of [...oursOfRedis, ...oursOfOurs, ...redisOfRedis, ...redisOfOurs])
      if (x.keys !== redis.keys) throw new Error(`a load gave ${x.keys} keys, not ${redis.keys}`);

    const exportMs = median(exports.map((x) => x.ms));
    const saveMs = median(redis.saveMs);
    const imp = (xs: ImportFigures[]) => median(xs.map((x) => x.ms));
    const load = (xs: RedisLoad[]) => median(xs.map((x) => x.readyMs));
    const logged = (xs: RedisLoad[]) => median(xs.map((x) => x.loggedMs));
    const peak = (xs: ImportFigures[]) => Math.max(...xs.map((x) => x.rssPeak));
    const rest = (xs: ImportFigures[]) => median(xs.map((x) => x.rssAtRest));
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    return [
      `### rdb: ${fmt(redis.keys, 0)} keys (90 % strings, 2.5 % each small hashes, zsets, lists, sets, 1 % TTLs, ` +
        `plus one hash, zset, list and set of ${fmt(BIG, 0)}), redis-server ${redis.redisVersion}, ` +
        `${os.cpus().length} cores, node ${process.version}; median of ${ROUNDS} rounds`,
      '',
      '| measure | ours | redis-server | ours ÷ redis |',
      '|---|---:|---:|---:|',
      `| export: writeRdb to a file vs SAVE | ${secs(exportMs)} | ${secs(saveMs)} | ${ratio(exportMs, saveMs)} |`,
      `| file size (ours: plain encodings, no LZF) | ${mib(ex.bytes)} | ${mib(redis.bytes)} | ${ratio(ex.bytes, redis.bytes)} |`,
      `| import of redis-server's dump.rdb (ours: read + parse + apply; redis: spawn → PONG, it logs ${secs(logged(redisOfRedis))}) | ` +
        `${secs(imp(oursOfRedis))} | ${secs(load(redisOfRedis))} | ${ratio(imp(oursOfRedis), load(redisOfRedis))} |`,
      `| import of our file (redis: spawn → PONG, it logs ${secs(logged(redisOfOurs))}) | ${secs(imp(oursOfOurs))} | ` +
        `${secs(load(redisOfOurs))} | ${ratio(imp(oursOfOurs), load(redisOfOurs))} |`,
      `| RSS with the data loaded, at rest (ours after an import of redis's file; redis: used_memory_rss) | ` +
        `${mib(rest(oursOfRedis))} | ${mib(median(redisOfRedis.map((x) => x.rss)))} | ` +
        `${ratio(rest(oursOfRedis), median(redisOfRedis.map((x) => x.rss)))} |`,
      `| RSS peak during our import (file + staged values) | ${mib(peak(oursOfRedis))} | — | — |`,
      `| RSS of the exporting process: at rest before / peak during writeRdb | ${mib(ex.rssAtRest)} / ${mib(ex.rssPeak)} | ` +
        `${mib(redis.rss)} (before SAVE) | — |`,
      '',
      `Our engine was built by executing the same ${fmt(redis.keys, 0)} commands in ${secs(ex.buildMs)} ` +
        `(redis-cli --pipe loaded redis-server). Rounds — export ${exports.map((x) => secs(x.ms)).join(', ')}; ` +
        `SAVE ${redis.saveMs.map(secs).join(', ')}; our import of redis's file ${oursOfRedis.map((x) => secs(x.ms)).join(', ')}; ` +
        `redis load of its file ${redisOfRedis.map((x) => secs(x.readyMs)).join(', ')}.`,
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
