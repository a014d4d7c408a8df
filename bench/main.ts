/**
 * `npm run bench`: runs every benchmark against a redis-server started in the same run and prints markdown tables
 * with ours/redis ratios (copied into BENCHMARKS.md). BENCH_N overrides the data size (default 1,000,000).
 */
import { benchZset, zsetChild } from './engine/zset-memory';

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1_000_000);
  const only = process.argv[2];
  if (only === '__zset-child') return zsetChild(process.argv[3]!, Number(process.argv[4]));
  const out: string[] = [`## npm run bench — ${new Date().toISOString()} — node ${process.version}`, ''];
  if (!only || only === 'engine') out.push(...(await benchZset(n)).lines, '');
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
