/**
 * RESP benchmark: redis-benchmark against `s3-index serve` and against redis-server, in the same run, and the ratio
 * ours/redis for each test.
 *
 *   npm run build && node dist/resp-bench.js [members=1000000] [--quick] [--skip-lex] [--skip-basic] [--rounds N]
 *
 * 1. SET GET INCR HSET ZADD with -n 200000 -c 50, pipelined (-P 16) and not pipelined.
 * 2. ZRANGEBYLEX idx:b - + LIMIT 0 1000 and LIMIT 0 10 on a 1M-member lex zset (all scores 0), loaded with
 *    redis-cli --pipe from bench/data/genkeys.mjs + toresp.mjs (the same bytes into both servers).
 * `members` (BENCH_N in `npm run bench`; --quick: 100,000) sizes the lex zset, and every request count shrinks with
 * it: the figures above are those of 1M members, the default.
 * Each test runs --rounds times (default 3), alternating between the servers, and the best round of each server
 * counts: on a shared machine a round is often slowed by other work, which best-of-N filters out for both alike.
 * Also reported: each server's CPU time per request (utime + stime from /proc, mean over the rounds), which
 * depends much less on what else the machine runs than requests per second do.
 * Needs redis-server, redis-cli and redis-benchmark on PATH. Both servers run as separate processes, on ports chosen
 * here, and are stopped however this benchmark ends (bench/lib/child-processes.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ChildServer, runChild, startServer } from '../lib/child-processes';
import { GENKEYS, TORESP } from '../lib/data';

const FULL_MEMBERS = 1_000_000;

interface Options {
  members: number;
  rounds: number;
  skipLex: boolean;
  skipBasic: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const roundsAt = argv.indexOf('--rounds');
  const positional = argv.filter((a, i) => !a.startsWith('--') && (roundsAt < 0 || i !== roundsAt + 1));
  const members =
    positional[0] !== undefined ? Number(positional[0]) : argv.includes('--quick') ? 100_000 : FULL_MEMBERS;
  if (!Number.isInteger(members) || members < 1) throw new Error(`members: '${positional[0]}' is not a count`);
  return {
    members,
    rounds: roundsAt >= 0 ? Math.max(1, Number(argv[roundsAt + 1])) : 3,
    skipLex: argv.includes('--skip-lex'),
    skipBasic: argv.includes('--skip-basic'),
  };
}

type Side = 'ours' | 'redis';
interface Servers {
  ours: ChildServer;
  redis: ChildServer;
}

async function startServers(): Promise<Servers> {
  // the flag `npx s3-index serve` would add by re-running itself in a child; given here, this pid is the server's
  const cli = path.resolve(__dirname, '../bin/s3-index.js');
  const ours = await startServer(
    process.execPath,
    ([resp, http]) => [
      '--max-semi-space-size=64',
      cli,
      'serve',
      '--resp-port',
      String(resp),
      '--http-port',
      String(http),
    ],
    2,
  );
  try {
    const redis = await startServer('redis-server', ([port]) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    return { ours, redis };
  } catch (err) {
    await ours.stop();
    throw err;
  }
}

/** CPU seconds (user + system) the process used so far, or NaN where /proc is not available. */
function cpuSeconds(pid: number): number {
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

interface Measured {
  best: Record<Side, number>;
  cpu: Record<Side, number>;
}

/**
 * One test on both servers, `rounds` times, alternating: the best rps of each server, and its mean CPU µs per
 * request. `extra` holds redis-benchmark's arguments (one test); `requests` is its -n.
 */
/**
 * `pick`: the figure of that test in redis-benchmark's output (a test such as LRANGE_100 first runs the LPUSH it
 * needs); default its first line.
 */
async function measure(
  servers: Servers,
  rounds: number,
  extra: string[],
  requests: number,
  pick?: string,
): Promise<Measured> {
  const best = { ours: 0, redis: 0 };
  const cpu = { ours: 0, redis: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['ours', 'redis'] as const) : (['redis', 'ours'] as const)) {
      const server = servers[side];
      const c0 = cpuSeconds(server.pid);
      const figures = await benchmark(server.ports[0]!, extra);
      const rps = (pick !== undefined ? figures[pick] : Object.values(figures)[0]) ?? 0;
      cpu[side] += ((cpuSeconds(server.pid) - c0) * 1e6) / requests / rounds;
      best[side] = Math.max(best[side], rps);
    }
  }
  return { best, cpu };
}

/** Runs redis-benchmark with --csv; returns { test: rps }. */
async function benchmark(port: number, extra: string[]): Promise<Record<string, number>> {
  const out = await runChild('redis-benchmark', ['-p', String(port), '-c', '50', '--csv', ...extra]);
  const res: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) res[m[1]!] = Number(m[2]);
  }
  return res;
}

function flush(port: number): void {
  execFileSync('redis-cli', ['-p', String(port), 'flushall'], { stdio: 'ignore' });
}

/**
 * The `ZADD idx:b 0 key` commands of `members` generated keys, made once and kept in the OS temp dir; written under a
 * temporary name and renamed, so concurrent runs never read a half-written file.
 */
async function lexDataset(members: number): Promise<string> {
  const file = path.join(os.tmpdir(), `s3-index-bench-resp-lex-${members}.resp`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const tsv = path.join(os.tmpdir(), `s3-index-bench-keys-${members}.${process.pid}.tsv`);
  try {
    await runChild(process.execPath, [GENKEYS, String(members), '42'], { stdout: { file: tsv } });
    await runChild(process.execPath, [TORESP, tsv, 'zset', 'b'], { stdout: { file: tmp } });
    renameSync(tmp, file);
  } finally {
    for (const f of [tsv, tmp]) if (existsSync(f)) unlinkSync(f);
  }
  return file;
}

async function load(port: number, file: string): Promise<{ replies: number; ms: number }> {
  const t = Date.now();
  const out = await runChild('sh', ['-c', `redis-cli -p ${port} --pipe < '${file}'`]);
  const m = /errors: (\d+), replies: (\d+)/.exec(out);
  if (m?.[1] !== '0') throw new Error(`load failed: ${out}`);
  return { replies: Number(m[2]), ms: Date.now() - t };
}

interface Row {
  group: string;
  test: string;
  ours: number;
  redis: number;
  ratio: number;
  cpu: Record<Side, number>;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const count = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

async function main(): Promise<void> {
  const { members, rounds, skipLex, skipBasic } = parseArgs(process.argv.slice(2));
  /** a request count of the full run, in proportion to the zset's size (never below 100) */
  const scaled = (full: number): number =>
    Math.max(100, Math.round((full * Math.min(members, FULL_MEMBERS)) / FULL_MEMBERS));
  const requests = scaled(200_000);
  const rows: Row[] = [];
  const report = (group: string, test: string, { best, cpu }: Measured): void => {
    rows.push({ group, test, ours: best.ours, redis: best.redis, ratio: best.ours / best.redis, cpu });
  };

  const servers = await startServers();
  try {
    const groups: Array<[string, string[]]> = [
      ['-P 16', ['-P', '16']],
      ['no pipeline', []],
    ];
    for (const [group, extra] of skipBasic ? [] : groups) {
      // lists and sets (issue 24): LPOP/RPOP pop what the LPUSH/RPUSH tests before them pushed, SPOP what SADD added
      const tests = [
        'set',
        'get',
        'incr',
        'hset',
        'zadd',
        'lpush',
        'rpush',
        'lpop',
        'rpop',
        'sadd',
        'spop',
        'lrange_100',
      ];
      for (const t of tests) {
        const pick = t === 'lrange_100' ? 'LRANGE_100 (first 100 elements)' : undefined;
        report(
          group,
          t.toUpperCase(),
          await measure(servers, rounds, ['-t', t, '-n', String(requests), ...extra], requests, pick),
        );
      }
      flush(servers.ours.ports[0]!);
      flush(servers.redis.ports[0]!);
    }
    if (!skipLex) {
      const file = await lexDataset(members);
      const lo = await load(servers.ours.ports[0]!, file);
      const lr = await load(servers.redis.ports[0]!, file);
      process.stdout.write(
        `loaded ${members} members with redis-cli --pipe: ours ${lo.ms} ms, redis ${lr.ms} ms (ratio ${(lr.ms / lo.ms).toFixed(2)})\n`,
      );
      for (const [limit, n] of [
        [1000, scaled(20_000)],
        [10, scaled(200_000)],
      ] as const) {
        const cmd = ['-n', String(n), 'ZRANGEBYLEX', 'idx:b', '-', '+', 'LIMIT', '0', String(limit)];
        report(`zset ${count(members)} lex`, `ZRANGEBYLEX LIMIT 0 ${limit}`, await measure(servers, rounds, cmd, n));
      }
    }
  } finally {
    await Promise.all([servers.ours.stop(), servers.redis.stop()]);
  }

  process.stdout.write(
    `\nbest of ${rounds} rounds per server; cpu = server CPU µs per request (mean of the rounds)\n` +
      `${'group'.padEnd(12)} ${'test'.padEnd(26)} ${'ours rps'.padStart(12)} ${'redis rps'.padStart(12)} ratio ` +
      `${'ours cpu'.padStart(9)} ${'redis cpu'.padStart(9)} cpu ratio\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.group.padEnd(12)} ${r.test.padEnd(26)} ${fmt(r.ours).padStart(12)} ${fmt(r.redis).padStart(12)} ${r.ratio.toFixed(2)}  ` +
        `${r.cpu.ours.toFixed(2).padStart(9)} ${r.cpu.redis.toFixed(2).padStart(9)} ${(r.cpu.redis / r.cpu.ours).toFixed(2)}\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`resp bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
