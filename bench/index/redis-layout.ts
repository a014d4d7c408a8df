/**
 * The seed's Redis layout for an S3 index, measured on redis-server in the same run as our index benchmark:
 * one ZADD per key plus one HSET per object (`toresp.mjs full`), loaded with `redis-cli --pipe`. The server stays up
 * so that the bulk load can be repeated (`reload`) between rounds of our ingest: each ingest round is compared with
 * the Redis load measured just before it.
 */

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, genKeys, SHARED_BENCH, startRedis } from '../lib/redis';

export interface RedisLayoutFigures {
  readonly lines: string[];
  /** objects/s of the first bulk load */
  readonly loadRate: number;
  /** empties the server and bulk-loads the same file again: objects/s */
  reload(): number;
  /** stops the server and removes the file */
  stop(): void;
}

export async function benchRedisIndexLayout(n: number): Promise<RedisLayoutFigures> {
  const { file } = genKeys(n);
  const resp = path.join(os.tmpdir(), `s3-index-bench-full-${n}.resp`);
  execFileSync('sh', ['-c', `node '${path.join(SHARED_BENCH, 'toresp.mjs')}' '${file}' full b > '${resp}'`]);
  const redis = await startRedis();
  const stop = (): void => {
    redis.stop();
    fs.rmSync(resp, { force: true });
  };
  try {
    const load = (): number => {
      const t = performance.now();
      redis.pipe(resp);
      return n / ((performance.now() - t) / 1000);
    };
    const base = redis.info('used_memory');
    const loadRate = load();
    const perObject = (redis.info('used_memory') - base) / n;
    const lines = [
      `### redis-server 7.0, the seed's index layout (zset + one hash per object), ${fmt(n, 0)} objects, same keys`,
      '',
      `- memory: ${perObject.toFixed(1)} B/object (used_memory growth)`,
      `- bulk load with redis-cli --pipe: ${fmt(loadRate, 0)} objects/s`,
      '',
    ];
    const reload = (): number => {
      redis.cli('flushall');
      return load();
    };
    return { lines, loadRate, reload, stop };
  } catch (err) {
    stop();
    throw err;
  }
}
