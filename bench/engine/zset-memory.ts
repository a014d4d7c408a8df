/**
 * Issue 2 benchmark: sorted-set memory per member, load rate and in-process ZRANGEBYLEX LIMIT 0 1000 latency,
 * against redis-server measured in the same run on the same keys.
 *
 * Memory per member, two ways for each side: ours as V8 heapUsed + external growth, and as process RSS growth at
 * rest, each zset loaded in a fresh child process (`__zset-child`) so that no other measurement's garbage is in its
 * readings; Redis's as `used_memory` growth and as `used_memory_rss` growth at rest (after MEMORY PURGE). A figure
 * below the members' average length cannot be right (every member's bytes are stored), and is refused rather than
 * printed, as is a member count that is not the number of distinct keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { Reply } from '../../src/engine/reply';
import { runChild } from '../lib/child-processes';
import { canForceGc, gc, heapAndExternal, restingRss } from '../lib/memory';
import { fmt, genKeys, genKeyViews, percentile, redisRestingRss, respCommand, startRedis } from '../lib/redis';

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
    const distinct = new Set(rows.map((r) => r.key)).size;
    const keyLen = avgLen(keys);
    const base = redis.info('used_memory');
    const baseRss = await redisRestingRss(redis);
    let t = performance.now();
    await redis.pipe(lexResp);
    const redisLexRate = n / ((performance.now() - t) / 1000);
    const afterLex = redis.info('used_memory');
    const afterLexRss = await redisRestingRss(redis);
    t = performance.now();
    await redis.pipe(scoredResp);
    const redisScoredRate = n / ((performance.now() - t) / 1000);
    const afterScored = redis.info('used_memory');
    const afterScoredRss = await redisRestingRss(redis);
    for (const z of ['lex', 'scored']) {
      const card = Number(redis.cli('zcard', z).trim());
      if (card !== distinct) throw new Error(`redis-server's ${z} zset has ${card} members, not ${distinct}`);
    }
    const redisLex = {
      heap: sane('redis lex used_memory', (afterLex - base) / distinct, keyLen),
      rss: sane('redis lex used_memory_rss', (afterLexRss - baseRss) / distinct, keyLen),
    };
    const redisScored = {
      heap: sane('redis scored used_memory', (afterScored - afterLex) / distinct, keyLen),
      rss: sane('redis scored used_memory_rss', (afterScoredRss - afterLexRss) / distinct, keyLen),
    };

    // --- ours: each load runs in a fresh child process so that nothing else in this one skews the figures
    const lexRun = await runLoad('lex', n, distinct, keyLen);
    const scoredRun = await runLoad('scored', n, distinct, keyLen);
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

    lines.push(
      `### Sorted sets, ${fmt(n, 0)} S3-like keys, ${fmt(distinct, 0)} distinct (genkeys.mjs seed 42, avg ${keyLen.toFixed(1)} B)`,
    );
    lines.push('');
    lines.push('| measure | s3-index | redis-server 7.0 | ratio (ours/redis) | goal |');
    lines.push('|---|---|---|---|---|');
    lines.push(row('lex zset (score 0), bytes/member', lexRun.heap, redisLex.heap, '≤ 0.5×'));
    lines.push(row('lex zset (score 0), RSS bytes/member', lexRun.rss, redisLex.rss, '—'));
    lines.push(row('distinct-score zset, bytes/member', scoredRun.heap, redisScored.heap, '≤ 1.0×'));
    lines.push(row('distinct-score zset, RSS bytes/member', scoredRun.rss, redisScored.rss, '—'));
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
      'Per distinct member. bytes/member: ours = V8 heapUsed + external growth after forced GCs, the engine still ' +
        'referenced at the reading; Redis = `used_memory` growth (jemalloc, no RSS overhead). RSS bytes/member: ours = ' +
        'process RSS growth at rest (least of 8 readings after forced GCs), a fresh child per zset; Redis = ' +
        '`used_memory_rss` growth at rest (least of 4 readings after MEMORY PURGE), lex then scored in one server.',
    );
  } finally {
    fs.rmSync(lexResp, { force: true });
    fs.rmSync(scoredResp, { force: true });
    await redis.stop();
  }
  void file;
  return { lines };
}

/** One zset loaded in a child: bytes per member (heap + external, RSS) and the load rate. */
interface ZsetLoad {
  members: number;
  heap: number;
  rss: number;
  rate: number;
}

async function runLoad(mode: 'lex' | 'scored', n: number, distinct: number, keyLen: number): Promise<ZsetLoad> {
  const out = await runChild(process.execPath, ['--expose-gc', process.argv[1]!, '__zset-child', mode, String(n)]);
  const r = JSON.parse(out.trim().split('\n').pop()!) as ZsetLoad;
  if (r.members !== distinct) throw new Error(`our ${mode} zset has ${r.members} members, not ${distinct}`);
  return {
    ...r,
    heap: sane(`our ${mode} heap + external`, r.heap, keyLen),
    rss: sane(`our ${mode} RSS`, r.rss, keyLen),
  };
}

/**
 * Child side: loads n members through engine.execute and prints the member count (ZCARD), heap + external and RSS
 * growth per member, and the rate. The baseline is read once the inputs are built and the setup's garbage collected;
 * the second reading after the load, with the engine read again after it (ZCARD), so that it is still reachable when
 * measured: without that read, V8's optimised code (the load loop runs on-stack-replaced) may treat `engine` as dead
 * and the forced GC frees the whole zset before the reading (BENCHMARKS.md, "Issue 18: engine bench memory rows
 * fixed").
 */
export function zsetChild(mode: string, n: number): void {
  if (!canForceGc()) throw new Error('the zset memory child needs node --expose-gc');
  const keys = genKeyViews(n);
  const zero = Buffer.from('0');
  const scores = keys.map((_, i) => (mode === 'lex' ? zero : Buffer.from(String((i * 7919) % n))));
  const engine = new Engine();
  const zadd = Buffer.from('zadd');
  const key = Buffer.from(mode);
  gc();
  const rss0 = restingRss();
  const m0 = heapAndExternal();
  const t = performance.now();
  for (let i = 0; i < keys.length; i++) engine.execute([zadd, key, scores[i]!, keys[i]!]);
  const rate = keys.length / ((performance.now() - t) / 1000);
  gc();
  const m1 = heapAndExternal();
  const rss1 = restingRss();
  // after both readings: the engine, the keys and the scores were reachable while they were taken
  const card: Reply = engine.execute([Buffer.from('zcard'), key]);
  const members = card.t === 'int' ? Number(card.v) : -1;
  if (keys.length !== scores.length) throw new Error('unreachable');
  const result: ZsetLoad = { members, heap: (m1 - m0) / members, rss: (rss1 - rss0) / members, rate };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * A per-member figure, or an error when it is below the members' average length: every member's bytes are stored,
 * so such a figure means the measurement is broken (the structure freed before the reading, the baseline taken
 * with garbage still live), and it is not printed.
 */
function sane(what: string, bytesPerMember: number, avgKeyLength: number): number {
  if (!(bytesPerMember >= avgKeyLength)) {
    throw new Error(
      `${what}: ${bytesPerMember.toFixed(1)} B/member is below the average member length ` +
        `(${avgKeyLength.toFixed(1)} B), which cannot be: the measurement is broken, not printing it`,
    );
  }
  return bytesPerMember;
}

function row(label: string, ours: number, redis: number, goal: string): string {
  return `| ${label} | ${ours.toFixed(1)} | ${redis.toFixed(1)} | ${(ours / redis).toFixed(2)}× | ${goal} |`;
}

function avgLen(keys: Buffer[]): number {
  let s = 0;
  for (const k of keys) s += k.length;
  return s / keys.length;
}

function writeResp(file: string, cmds: string[]): void {
  const fd = fs.openSync(file, 'w');
  const CHUNK = 10000;
  for (let i = 0; i < cmds.length; i += CHUNK) fs.writeSync(fd, cmds.slice(i, i + CHUNK).join(''));
  fs.closeSync(fd);
}
