/**
 * The seed's Redis layout for an S3 index, measured on redis-server in the same run as our index benchmark:
 * one ZADD per key plus one HSET per object (`toresp.mjs full`), loaded with `redis-cli --pipe`. The server stays up
 * so that the bulk load can be repeated (`reload`) between rounds of our ingest: each ingest round is compared with
 * the Redis load measured just before it.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChild } from '../lib/child-processes';
import { TORESP } from '../lib/data';
import { fmt, genKeys, startRedis } from '../lib/redis';

export interface RedisLayoutFigures {
  readonly lines: string[];
  /** objects/s of the first bulk load */
  readonly loadRate: number;
  /** empties the server and bulk-loads the same file again: objects/s */
  reload(): Promise<number>;
  /** stops the server and removes the file */
  stop(): Promise<void>;
}

export async function benchRedisIndexLayout(n: number): Promise<RedisLayoutFigures> {
  const { file } = genKeys(n);
  const resp = path.join(os.tmpdir(), `s3-index-bench-full-${n}.resp`);
  await runChild(process.execPath, [TORESP, file, 'full', 'b'], { stdout: { file: resp } }).catch((err: unknown) => {
    fs.rmSync(resp, { force: true });
    throw err;
  });
  const redis = await startRedis();
  const stop = async (): Promise<void> => {
    fs.rmSync(resp, { force: true });
    await redis.stop();
  };
  try {
    const load = async (): Promise<number> => {
      const t = performance.now();
      await redis.pipe(resp);
      return n / ((performance.now() - t) / 1000);
    };
    const base = redis.info('used_memory');
    const loadRate = await load();
    const perObject = (redis.info('used_memory') - base) / n;
    const lines = [
      `### redis-server 7.0, the seed's index layout (zset + one hash per object), ${fmt(n, 0)} objects, same keys`,
      '',
      `- memory: ${perObject.toFixed(1)} B/object (used_memory growth)`,
      `- bulk load with redis-cli --pipe: ${fmt(loadRate, 0)} objects/s`,
      '',
    ];
    const reload = (): Promise<number> => {
      redis.cli('flushall');
      return load();
    };
    return { lines, loadRate, reload, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
