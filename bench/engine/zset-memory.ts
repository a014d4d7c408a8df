/**
 * Issue 2 benchmark: sorted-set memory per member, load rate and in-process ZRANGEBYLEX LIMIT 0 1000 latency,
 * against redis-server measured in the same run on the same keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { runChild } from '../lib/child-processes';
import { fmt, gc, genKeys, memNow, percentile, respCommand, startRedis } from '../lib/redis';

export interface ZsetBenchResult {
  lines: string[];
}

export async function benchZset(n: number): Promise<ZsetBenchResult> {
  const lines: string[] = [];
  const { file, rows } = genKeys(n);
  const keys = rows.map((r) => Buffer.from(r.key, 'utf8'));
  const lexResp = path.join(os.tmpdir(), `s3-index-bench-lex-${n}.resp`);
  const scoredResp = path.join(os.tmpdir(), `s3-index-bench-scored-${n}.resp`);
  const redis = await startRedis();
  try {
    // --- Redis: lex zset (score 0) and distinct-score zset
    writeResp(
      lexResp,
      rows.map((r) => respCommand(['ZADD', 'lex', '0', r.key])),
    );
    writeResp(
      scoredResp,
      rows.map((r, i) => respCommand(['ZADD', 'scored', String((i * 7919) % n), r.key])),
    );
    const base = redis.info('used_memory');
    let t = performance.now();
    await redis.pipe(lexResp);
    const redisLexRate = n / ((performance.now() - t) / 1000);
    const afterLex = redis.info('used_memory');
    t = performance.now();
    await redis.pipe(scoredResp);
    const redisScoredRate = n / ((performance.now() - t) / 1000);
    const afterScored = redis.info('used_memory');
    const redisLexB = (afterLex - base) / n;
    const redisScoredB = (afterScored - afterLex) / n;

    // --- ours: each load runs in a fresh child process so that nothing else in this one skews the heap figures
    const lexRun = await runLoad('lex', n);
    const scoredRun = await runLoad('scored', n);
    const ourLexB = lexRun.bytesPerMember;
    const ourScoredB = scoredRun.bytesPerMember;
    const ourLexRate = lexRun.rate;
    const ourScoredRate = scoredRun.rate;
    const engine = new Engine();
    const zadd = Buffer.from('zadd');
    const zero = Buffer.from('0');
    const lexKey = Buffer.from('lex');
    for (const k of keys) engine.execute([zadd, lexKey, zero, k]);
    gc();

    // --- ZRANGEBYLEX lex [start + LIMIT 0 1000 from random starting keys
    const argv = (start: Buffer) => [
      Buffer.from('zrangebylex'),
      lexKey,
      Buffer.concat([Buffer.from('['), start]),
      Buffer.from('+'),
      Buffer.from('LIMIT'),
      zero,
      Buffer.from('1000'),
    ];
    const samples: number[] = [];
    let returned = 0;
    for (let i = 0; i < 3000; i++) {
      const a = argv(keys[(i * 104729) % keys.length]!);
      const s = performance.now();
      const r = engine.execute(a);
      samples.push((performance.now() - s) * 1000);
      if (r.t === 'array') returned += r.v.length;
    }
    samples.sort((a, b) => a - b);
    const p50 = percentile(samples, 0.5);
    const p99 = percentile(samples, 0.99);
    const avgReturned = returned / samples.length;

    lines.push(`### Sorted sets, ${fmt(n, 0)} S3-like keys (genkeys.mjs seed 42, avg ${avgLen(keys)} B)`);
    lines.push('');
    lines.push('| measure | s3-index | redis-server 7.0 | ratio (ours/redis) | goal |');
    lines.push('|---|---|---|---|---|');
    lines.push(row('lex zset (score 0), bytes/member', ourLexB, redisLexB, '≤ 0.5×'));
    lines.push(row('distinct-score zset, bytes/member', ourScoredB, redisScoredB, '≤ 1.0×'));
    lines.push(
      `| lex load rate, members/s | ${fmt(ourLexRate, 0)} (in-process execute) | ${fmt(redisLexRate, 0)} (redis-cli --pipe) | ${(ourLexRate / redisLexRate).toFixed(2)} | — |`,
    );
    lines.push(
      `| scored load rate, members/s | ${fmt(ourScoredRate, 0)} | ${fmt(redisScoredRate, 0)} | ${(ourScoredRate / redisScoredRate).toFixed(2)} | — |`,
    );
    lines.push(
      `| ZRANGEBYLEX [k + LIMIT 0 1000, in-process µs (p50 / p99) | ${p50.toFixed(1)} / ${p99.toFixed(1)} (avg ${fmt(avgReturned, 0)} members) | — | — | p50 ≤ 100 µs |`,
    );
    lines.push('');
    lines.push(
      'Ours = V8 heapUsed + external growth after a forced GC; Redis = `used_memory` growth (jemalloc, no RSS overhead).',
    );
  } finally {
    fs.rmSync(lexResp, { force: true });
    fs.rmSync(scoredResp, { force: true });
    await redis.stop();
  }
  void file;
  return { lines };
}

interface ChildResult {
  bytesPerMember: number;
  rate: number;
}

async function runLoad(mode: 'lex' | 'scored', n: number): Promise<ChildResult> {
  const out = await runChild(process.execPath, ['--expose-gc', process.argv[1]!, '__zset-child', mode, String(n)]);
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

/** Child side: loads n members through engine.execute and prints heap+external growth per member and the rate. */
export function zsetChild(mode: string, n: number): void {
  const keys = genKeys(n).rows.map((r) => Buffer.from(r.key, 'utf8'));
  const scores = keys.map((_, i) => Buffer.from(mode === 'lex' ? '0' : String((i * 7919) % n)));
  const engine = new Engine();
  const zadd = Buffer.from('zadd');
  const key = Buffer.from(mode);
  gc();
  const m0 = memNow();
  const t = performance.now();
  for (let i = 0; i < keys.length; i++) engine.execute([zadd, key, scores[i]!, keys[i]!]);
  const rate = n / ((performance.now() - t) / 1000);
  gc();
  const bytesPerMember = (memNow() - m0) / n;
  // keep the inputs reachable until after the measurement, or the collector frees them mid-measure
  if (keys.length !== scores.length) throw new Error('unreachable');
  process.stdout.write(`${JSON.stringify({ bytesPerMember, rate })}\n`);
}

function row(label: string, ours: number, redis: number, goal: string): string {
  return `| ${label} | ${ours.toFixed(1)} | ${redis.toFixed(1)} | ${(ours / redis).toFixed(2)}× | ${goal} |`;
}

function avgLen(keys: Buffer[]): string {
  let s = 0;
  for (const k of keys) s += k.length;
  return (s / keys.length).toFixed(1);
}

function writeResp(file: string, cmds: string[]): void {
  const fd = fs.openSync(file, 'w');
  const CHUNK = 10000;
  for (let i = 0; i < cmds.length; i += CHUNK) fs.writeSync(fd, cmds.slice(i, i + CHUNK).join(''));
  fs.closeSync(fd);
}
