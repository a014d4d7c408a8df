/** Generator for the hash commands (plus a few foreign writes so hash commands meet WRONGTYPE). */
import type { Rng } from './random';
import { EXACT } from './step';
import { float, type GroupGenerator, int, key, member, PATTERNS, step, validOr, value } from './vocab';

const pairs = (rng: Rng): string[] => {
  const out: string[] = [];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) out.push(member(rng), value(rng));
  if (rng.chance(0.05)) out.push(member(rng)); // odd count: arity error
  return out;
};

const HRAND_COUNTS = ['0', '1', '2', '3', '8', '20', '-1', '-5', '-20', 'abc', '-9223372036854775808'] as const;
const SCAN_COUNTS = ['1', '2', '5', '100'] as const;
const BAD_SCAN_COUNTS = ['0', '-1', 'x'] as const;

export function scanOptions(rng: Rng): string[] {
  const out: string[][] = [];
  if (rng.chance(0.5)) out.push([rng.pick(['MATCH', 'match']), rng.pick(PATTERNS)]);
  if (rng.chance(0.5)) out.push([rng.pick(['COUNT', 'count']), validOr(rng, SCAN_COUNTS, BAD_SCAN_COUNTS, 0.1)]);
  if (rng.chance(0.02)) out.push([rng.pick(['MATCH', 'COUNT', 'NOVALUES', 'TYPE'])]);
  return rng.shuffle(out).flat();
}

export const HASHES: GroupGenerator = {
  name: 'hashes',
  commands: {
    hset: { gen: (r) => step(['HSET', key(r), ...pairs(r)]), weight: 4 },
    hmset: { gen: (r) => step(['HMSET', key(r), ...pairs(r)]) },
    hsetnx: { gen: (r) => step(['HSETNX', key(r), member(r), value(r)]) },
    hget: { gen: (r) => step(['HGET', key(r), member(r)]), weight: 2 },
    hmget: { gen: (r) => step(['HMGET', key(r), ...r.some(['a', 'b', 'c', 'aa', 'zz', ''], 1, 4)]) },
    hgetall: { gen: (r) => step(['HGETALL', key(r)], { kind: 'sortedPairs' }) },
    hdel: { gen: (r) => step(['HDEL', key(r), ...r.some(['a', 'b', 'c', 'aa', 'ab', ''], 1, 3)]), weight: 2 },
    hexists: { gen: (r) => step(['HEXISTS', key(r), member(r)]) },
    hlen: { gen: (r) => step(['HLEN', key(r)]) },
    hkeys: { gen: (r) => step(['HKEYS', key(r)], { kind: 'sorted' }) },
    hvals: { gen: (r) => step(['HVALS', key(r)], { kind: 'sorted' }) },
    hincrby: { gen: (r) => step(['HINCRBY', key(r), member(r), int(r)]), weight: 2 },
    hincrbyfloat: { gen: (r) => step(['HINCRBYFLOAT', key(r), member(r), float(r)]), weight: 2 },
    hstrlen: { gen: (r) => step(['HSTRLEN', key(r), member(r)]) },
    hscan: {
      gen: (r) =>
        r.chance(0.1)
          ? step(['HSCAN', key(r), r.pick(['abc', '-', ' 1', '18446744073709551616']), ...scanOptions(r)])
          : step(['HSCAN', key(r), '0', ...scanOptions(r)], { kind: 'scan', cursorAt: 2, pairs: true }),
    },
    hrandfield: {
      gen: (r) => {
        const k = key(r);
        if (r.chance(0.25)) return step(['HRANDFIELD', k], { kind: 'randomOne' });
        const count = r.pick(HRAND_COUNTS);
        const withValues = r.chance(0.5);
        const args = ['HRANDFIELD', k, count];
        if (withValues) args.push(r.pick(['WITHVALUES', 'withvalues', 'WITHVALUE']));
        if (r.chance(0.03)) args.push('x');
        const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
        return n === 0n ? step(args, EXACT) : step(args, { kind: 'randomCount', count: n, unit: withValues ? 2 : 1 });
      },
      weight: 2,
    },
    // foreign writes so hash commands meet other types and missing keys
    set: { gen: (r) => step(['SET', key(r), value(r)]), weight: 0.3 },
    zadd: { gen: (r) => step(['ZADD', key(r), '1', member(r)]), weight: 0.3 },
    del: { gen: (r) => step(['DEL', key(r)]), weight: 0.3 },
  },
};
