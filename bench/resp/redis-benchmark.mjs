// RESP benchmark: redis-benchmark against `s3-index serve` and against redis-server, in the same run, and the
// ratio ours/redis for each test.
//
//   node bench/resp/redis-benchmark.mjs [--quick] [--skip-lex] [--skip-basic] [--rounds N]
//
// 1. SET GET INCR HSET ZADD with -n 200000 -c 50, pipelined (-P 16) and not pipelined.
// 2. ZRANGEBYLEX idx:b - + LIMIT 0 1000 and LIMIT 0 10 on a 1M-member lex zset (all scores 0), loaded with
//    redis-cli --pipe from /work/shared/bench/genkeys.mjs + toresp.mjs (the same bytes into both servers).
// Each test runs --rounds times (default 3), alternating between the servers, and the best round of each server
// counts: on a shared machine a round is often slowed by other work, which best-of-N filters out for both alike.
// Also reported: each server's CPU time per request (utime + stime from /proc, mean over the rounds), which
// depends much less on what else the machine runs than requests per second do.
// Needs redis-server, redis-cli and redis-benchmark on PATH. Both servers run as separate processes.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const args = new Set(argv);
const roundsAt = argv.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Math.max(1, Number(argv[roundsAt + 1])) : 3;
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
    // the flag `npx s3-index serve` would add by re-running itself in a child; given here, this pid is the server's
    spawn(
      process.execPath,
      ['--max-semi-space-size=64', path.join(root, 'bin/s3-index.js'), 'serve', '--resp-port', String(ours)],
      {
        stdio: 'ignore',
      },
    ),
    spawn('redis-server', ['--port', String(redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    }),
  ];
  await waitForPort(ours);
  await waitForPort(redis);
  return {
    ours,
    redis,
    oursPid: procs[0].pid,
    redisPid: procs[1].pid,
    stop: () => {
      for (const p of procs) p.kill('SIGTERM');
    },
  };
}

/** CPU seconds (user + system) the process used so far, or NaN where /proc is not available. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * One test on both servers, ROUNDS times, alternating: the best rps of each server, and its mean CPU µs per
 * request. `extra` holds redis-benchmark's arguments (one test); `requests` is its -n.
 */
function measure(extra, requests) {
  const best = { ours: 0, redis: 0 };
  const cpu = { ours: 0, redis: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? ['ours', 'redis'] : ['redis', 'ours']) {
      const pid = side === 'ours' ? servers.oursPid : servers.redisPid;
      const c0 = cpuSeconds(pid);
      const rps = Object.values(benchmark(side === 'ours' ? servers.ours : servers.redis, extra))[0] ?? 0;
      cpu[side] += ((cpuSeconds(pid) - c0) * 1e6) / requests / ROUNDS;
      best[side] = Math.max(best[side], rps);
    }
  }
  return { best, cpu };
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
function report(group, test, { best, cpu }) {
  rows.push({ group, test, ours: best.ours, redis: best.redis, ratio: best.ours / best.redis, cpu });
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const servers = await startServers();
try {
  for (const [group, extra] of args.has('--skip-basic')
    ? []
    : [
        ['-P 16', ['-P', '16']],
        ['no pipeline', []],
      ]) {
    for (const t of ['set', 'get', 'incr', 'hset', 'zadd']) {
      report(group, t.toUpperCase(), measure(['-t', t, '-n', String(N), ...extra], N));
    }
    flush(servers.ours);
    flush(servers.redis);
  }
  if (!args.has('--skip-lex')) {
    const file = await lexDataset();
    const lo = load(servers.ours, file);
    const lr = load(servers.redis, file);
    process.stdout.write(
      `loaded ${LEX_MEMBERS} members with redis-cli --pipe: ours ${lo.ms} ms, redis ${lr.ms} ms (ratio ${(lr.ms / lo.ms).toFixed(2)})\n`,
    );
    for (const [limit, n] of [
      [1000, quick ? 5000 : 20_000],
      [10, quick ? 50_000 : 200_000],
    ]) {
      const cmd = ['-n', String(n), 'ZRANGEBYLEX', 'idx:b', '-', '+', 'LIMIT', '0', String(limit)];
      report('zset 1M lex', `ZRANGEBYLEX LIMIT 0 ${limit}`, measure(cmd, n));
    }
  }
} finally {
  servers.stop();
}

process.stdout.write(
  `\nbest of ${ROUNDS} rounds per server; cpu = server CPU µs per request (mean of the rounds)\n` +
    `${'group'.padEnd(12)} ${'test'.padEnd(26)} ${'ours rps'.padStart(12)} ${'redis rps'.padStart(12)} ratio ` +
    `${'ours cpu'.padStart(9)} ${'redis cpu'.padStart(9)} cpu ratio\n`,
);
for (const r of rows) {
  process.stdout.write(
    `${r.group.padEnd(12)} ${r.test.padEnd(26)} ${fmt(r.ours).padStart(12)} ${fmt(r.redis).padStart(12)} ${r.ratio.toFixed(2)}  ` +
      `${r.cpu.ours.toFixed(2).padStart(9)} ${r.cpu.redis.toFixed(2).padStart(9)} ${(r.cpu.redis / r.cpu.ours).toFixed(2)}\n`,
  );
}
