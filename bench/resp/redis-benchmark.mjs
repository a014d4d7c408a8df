// RESP benchmark: redis-benchmark against `s3-index serve` and against redis-server, in the same run, and the
// ratio ours/redis for each test.
//
//   node bench/resp/redis-benchmark.mjs [--quick] [--skip-lex] [--skip-basic]
//
// 1. SET GET INCR HSET ZADD with -n 200000 -c 50, pipelined (-P 16) and not pipelined.
// 2. ZRANGEBYLEX idx:b - + LIMIT 0 1000 and LIMIT 0 10 on a 1M-member lex zset (all scores 0), loaded with
//    redis-cli --pipe from /work/shared/bench/genkeys.mjs + toresp.mjs (the same bytes into both servers).
// Needs redis-server, redis-cli and redis-benchmark on PATH. Both servers run as separate processes.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const N = quick ? 50_000 : 200_000;
const LEX_MEMBERS = quick ? 100_000 : 1_000_000;
const SHARED = path.resolve(process.env.S3_INDEX_SHARED_BENCH ?? '../shared/bench');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port}`);
}

async function startServers() {
  const [ours, redis] = [await freePort(), await freePort()];
  const procs = [
    spawn(process.execPath, [path.join(root, 'bin/s3-index.js'), 'serve', '--resp-port', String(ours)], {
      stdio: 'ignore',
    }),
    spawn('redis-server', ['--port', String(redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    }),
  ];
  await waitForPort(ours);
  await waitForPort(redis);
  return {
    ours,
    redis,
    stop: () => {
      for (const p of procs) p.kill('SIGTERM');
    },
  };
}

/** Runs redis-benchmark with --csv; returns { test: rps }. */
function benchmark(port, extra) {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-c', '50', '--csv', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const res = {};
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) res[m[1]] = Number(m[2]);
  }
  return res;
}

function flush(port) {
  execFileSync('redis-cli', ['-p', String(port), 'flushall'], { stdio: 'ignore' });
}

/** Runs a node script with its stdout into `file`; resolves once the script exited 0 and the file is written. */
async function runTo(args, file) {
  const p = spawn(process.execPath, args);
  const out = createWriteStream(file);
  p.stdout.pipe(out);
  const [[code]] = await Promise.all([once(p, 'close'), once(out, 'finish')]);
  if (code !== 0) throw new Error(`${path.basename(args[0])} exited ${code}`);
}

/** Generates the dataset once; written under a temporary name and renamed, so concurrent runs never read a half-written file. */
async function lexDataset() {
  const file = path.join(os.tmpdir(), `s3-index-bench-lex-${LEX_MEMBERS}.resp`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const tsv = path.join(os.tmpdir(), `s3-index-bench-keys-${LEX_MEMBERS}.${process.pid}.tsv`);
  await runTo([path.join(SHARED, 'genkeys.mjs'), String(LEX_MEMBERS), '42'], tsv);
  await runTo([path.join(SHARED, 'toresp.mjs'), tsv, 'zset', 'b'], tmp);
  unlinkSync(tsv);
  renameSync(tmp, file);
  return file;
}

function load(port, file) {
  const t = Date.now();
  const out = execFileSync('sh', ['-c', `redis-cli -p ${port} --pipe < '${file}'`], { encoding: 'utf8' });
  const m = /errors: (\d+), replies: (\d+)/.exec(out);
  if (m?.[1] !== '0') throw new Error(`load failed: ${out}`);
  return { replies: Number(m[2]), ms: Date.now() - t };
}

const rows = [];
function report(group, ours, redis) {
  for (const test of Object.keys(redis)) {
    const o = ours[test] ?? 0;
    rows.push({ group, test, ours: o, redis: redis[test], ratio: o / redis[test] });
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const { ours, redis, stop } = await startServers();
try {
  const tests = ['-t', 'set,get,incr,hset,zadd', '-n', String(N)];
  for (const [group, extra] of args.has('--skip-basic')
    ? []
    : [
        ['-P 16', ['-P', '16']],
        ['no pipeline', []],
      ]) {
    // interleave the servers so that machine noise hits both alike
    const o = benchmark(ours, [...tests, ...extra]);
    const r = benchmark(redis, [...tests, ...extra]);
    report(group, o, r);
    flush(ours);
    flush(redis);
  }
  if (!args.has('--skip-lex')) {
    const file = await lexDataset();
    const lo = load(ours, file);
    const lr = load(redis, file);
    process.stdout.write(
      `loaded ${LEX_MEMBERS} members with redis-cli --pipe: ours ${lo.ms} ms, redis ${lr.ms} ms (ratio ${(lr.ms / lo.ms).toFixed(2)})\n`,
    );
    for (const [limit, n] of [
      [1000, quick ? 5000 : 20_000],
      [10, quick ? 50_000 : 200_000],
    ]) {
      const cmd = ['-n', String(n), 'ZRANGEBYLEX', 'idx:b', '-', '+', 'LIMIT', '0', String(limit)];
      const o = Object.values(benchmark(ours, cmd))[0] ?? 0;
      const r = Object.values(benchmark(redis, cmd))[0] ?? 0;
      report('zset 1M lex', { [`ZRANGEBYLEX LIMIT 0 ${limit}`]: o }, { [`ZRANGEBYLEX LIMIT 0 ${limit}`]: r });
    }
  }
} finally {
  stop();
}

process.stdout.write(
  `\n${'group'.padEnd(12)} ${'test'.padEnd(26)} ${'ours rps'.padStart(12)} ${'redis rps'.padStart(12)} ratio\n`,
);
for (const r of rows) {
  process.stdout.write(
    `${r.group.padEnd(12)} ${r.test.padEnd(26)} ${fmt(r.ours).padStart(12)} ${fmt(r.redis).padStart(12)} ${r.ratio.toFixed(2)}\n`,
  );
}
