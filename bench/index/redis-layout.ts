/**
 * The seed's Redis layout for an S3 index, measured on redis-server in the same run as our index benchmark:
 * one ZADD per key plus one HSET per object (`toresp.mjs full`), loaded with `redis-cli --pipe`.
 */

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, genKeys, SHARED_BENCH, startRedis } from '../lib/redis';

export interface RedisLayoutFigures {
  readonly lines: string[];
  /** objects/s of the bulk load */
  readonly loadRate: number;
}

export async function benchRedisIndexLayout(n: number): Promise<RedisLayoutFigures> {
  const { file } = genKeys(n);
  const resp = path.join(os.tmpdir(), `s3-index-bench-full-${n}.resp`);
  execFileSync('sh', ['-c', `node '${path.join(SHARED_BENCH, 'toresp.mjs')}' '${file}' full b > '${resp}'`]);
  const redis = await startRedis();
  try {
    const base = redis.info('used_memory');
    const t = performance.now();
    redis.pipe(resp);
    const secs = (performance.now() - t) / 1000;
    const perObject = (redis.info('used_memory') - base) / n;
    const lines = [
      `### redis-server 7.0, the seed's index layout (zset + one hash per object), ${fmt(n, 0)} objects, same keys`,
      '',
      `- memory: ${perObject.toFixed(1)} B/object (used_memory growth)`,
      `- bulk load with redis-cli --pipe: ${fmt(n / secs, 0)} objects/s`,
      '',
    ];
    return { lines, loadRate: n / secs };
  } finally {
    redis.stop();
    fs.rmSync(resp, { force: true });
  }
}
