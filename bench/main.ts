/**
 * `npm run bench`: every benchmark, each against redis-server measured in the same run (same data, same machine).
 * Sections: engine (sorted sets), index (S3 object index), resp (redis-benchmark vs redis-server), http (autocannon, and wrk when installed).
 * `npm run bench -- engine index` runs some of them; BENCH_N sets the data size (default 1,000,000).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { benchZset, zsetChild } from './engine/zset-memory';
import { benchRedisIndexLayout } from './index/redis-layout';

const SECTIONS = ['engine', 'index', 'resp', 'http'] as const;
const YOUNG_GEN_FLAG = '--max-semi-space-size=64';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1_000_000);
  const args = process.argv.slice(2);
  if (args[0] === '__zset-child') return zsetChild(args[1]!, Number(args[2]));
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
        {
          const redis = await benchRedisIndexLayout(n);
          process.stdout.write(`${redis.lines.join('\n')}\n`);
          // the young-generation size `s3-index serve` runs with (bin/s3-index.js), where S3IDX.INGEST and /v1
          // ingest run; the Redis bulk-load rate of this run, for the ingest ratio
          const bench = path.join(dist, 'index-bench.js');
          run(process.execPath, ['--expose-gc', YOUNG_GEN_FLAG, bench, String(n), '42', String(redis.loadRate)]);
        }
        break;
      case 'resp':
        run(process.execPath, [path.join(dist, '../bench/resp/redis-benchmark.mjs')]);
        break;
      case 'http':
        run(process.execPath, [path.join(dist, 'http-bench.js'), String(n)]);
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
