/**
 * `npm run bench`: every benchmark, each against redis-server measured in the same run (same data, same machine).
 * Sections: engine (sorted sets), index (S3 object index), resp (redis-benchmark vs redis-server), http (autocannon, and wrk when installed),
 * persistence (snapshot size, write and restore times, log latency, RSS vs redis-server's RDB), rdb (RDB export and
 * import vs redis-server's SAVE and load).
 * `npm run bench -- engine index` runs some of them; BENCH_N sets the data size (default 1,000,000; in the resp
 * section the size of its lex zset, and its request counts in proportion). Every server runs on a port chosen here,
 * and every process a section starts is stopped however the run ends (bench/lib/child-processes.ts).
 */
import path from 'node:path';
import { benchZset, zsetChild } from './engine/zset-memory';
import { benchRedisIndexLayout } from './index/redis-layout';
import { runChild } from './lib/child-processes';
import { benchPersistence, persistenceChild } from './persistence/persistence-bench';
import { benchRdb, rdbChild } from './persistence/rdb';

const SECTIONS = ['engine', 'index', 'resp', 'http', 'persistence', 'rdb'] as const;
const YOUNG_GEN_FLAG = '--max-semi-space-size=64';

/** A section's own process, printing to this one's stdout and stderr. */
async function runSection(script: string, args: string[]): Promise<void> {
  await runChild(process.execPath, [script, ...args], { stdout: 'inherit', stderr: 'inherit' });
}

/** Paired rounds of the index section: a Redis bulk load, then our ingest of the same rows, this many times. */
const INDEX_ROUNDS = Number(process.env.BENCH_INDEX_ROUNDS ?? 3);

/**
 * The index section. The VM's speed drifts by up to 2× within minutes, so one Redis load and one ingest measured a
 * minute apart can give any ratio: each ingest round is paired with a Redis bulk load of the same rows just before it,
 * and the ratio reported is the median of the rounds' ratios. The rounds before the last only ingest
 * (`ingest-only`); the last one goes on with memory, pages and stats on its index.
 */
async function benchIndex(n: number, bench: string): Promise<void> {
  const redis = await benchRedisIndexLayout(n);
  try {
    process.stdout.write(`${redis.lines.join('\n')}\n`);
    const rounds: Array<{ redis: number; cpu: number; wall: number }> = [];
    for (let r = 0; r < INDEX_ROUNDS; r++) {
      const rate = r === 0 ? redis.loadRate : await redis.reload();
      const last = r === INDEX_ROUNDS - 1;
      // the young-generation size `s3-index serve` runs with (bin/s3-index.js), where S3IDX.INGEST and /v1 ingest run
      const args = ['--expose-gc', YOUNG_GEN_FLAG, bench, String(n), '42', String(rate)];
      const out = await runChild(process.execPath, last ? args : [...args, 'ingest-only']);
      if (last) process.stdout.write(out);
      const m = /^ingest: (\d+) events\/s .*; wall (\d+) events\/s/m.exec(out);
      if (!m) throw new Error(`no ingest figure in the index bench output:\n${out}`);
      rounds.push({ redis: rate, cpu: Number(m[1]), wall: Number(m[2]) });
    }
    const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = rounds.map(
      (x, i) =>
        `- round ${i + 1}: Redis bulk load ${Math.round(x.redis)} objects/s; ingest ${x.cpu} events/s CPU, ` +
        `${x.wall} wall: ${(x.cpu / x.redis).toFixed(2)}× / ${(x.wall / x.redis).toFixed(2)}×`,
    );
    process.stdout.write(
      `\n### ingest ÷ Redis bulk load, paired rounds (goal 200k ÷ 105k ≈ 1.9×)\n\n${lines.join('\n')}\n` +
        `- median: ${median(rounds.map((x) => x.cpu / x.redis)).toFixed(2)}× CPU time, ` +
        `${median(rounds.map((x) => x.wall / x.redis)).toFixed(2)}× wall time\n\n`,
    );
  } finally {
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1_000_000);
  const args = process.argv.slice(2);
  if (args[0] === '__zset-child') return zsetChild(args[1]!, Number(args[2]));
  if (args[0] === '__persistence-child') return persistenceChild(args.slice(1));
  if (args[0] === '__rdb-child') return rdbChild(args.slice(1));
  const wanted = args.length ? args : [...SECTIONS];
  const dist = path.dirname(process.argv[1]!);
  process.stdout.write(`## npm run bench — ${new Date().toISOString()} — node ${process.version}, N=${n}\n\n`);
  for (const section of wanted) {
    process.stdout.write(`## ${section}\n\n`);
    switch (section) {
      case 'engine':
        process.stdout.write(`${(await benchZset(n)).lines.join('\n')}\n\n`);
        break;
      case 'index':
        await benchIndex(n, path.join(dist, 'index-bench.js'));
        break;
      case 'resp':
        await runSection(path.join(dist, 'resp-bench.js'), [String(n)]);
        break;
      case 'http':
        await runSection(path.join(dist, 'http-bench.js'), [String(n)]);
        break;
      case 'persistence':
        process.stdout.write(`${(await benchPersistence(n)).join('\n')}\n\n`);
        break;
      case 'rdb':
        process.stdout.write(`${(await benchRdb(n, path.resolve(process.argv[1]!))).join('\n')}\n\n`);
        break;
      default:
        throw new Error(`unknown bench section '${section}' (one of ${SECTIONS.join(', ')})`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
