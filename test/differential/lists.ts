/**
 * Generator for the list commands (plus a few foreign writes so list commands meet WRONGTYPE). Elements come from
 * a small vocabulary so LREM, LPOS and LINSERT find matches; occasional bulk pushes grow lists past 128 entries
 * and 64-byte elements, so both of the structure's representations (packed and ring) are compared.
 */
import type { Rng } from './random';
import { type GroupGenerator, index, key, step, validOr, value } from './vocab';

const ELEMENTS = ['a', 'b', 'c', 'a', 'b', '', 'x\x00y', '\xff', '1', 'y'.repeat(64), 'z'.repeat(65)] as const;
const element = (rng: Rng): string => rng.pick(ELEMENTS);
const elements = (rng: Rng): string[] => {
  if (rng.chance(0.06)) return Array.from({ length: rng.int(20, 140) }, () => element(rng));
  return Array.from({ length: rng.int(1, 4) }, () => element(rng));
};

const SIDES = ['LEFT', 'RIGHT', 'left', 'Right'] as const;
const BAD_SIDES = ['UP', '', 'LEFTX'] as const;
const side = (rng: Rng): string => validOr(rng, SIDES, BAD_SIDES, 0.05);

const COUNTS = ['0', '1', '2', '3', '5', '100', '9223372036854775807'] as const;
const BAD_COUNTS = ['-1', 'abc', '-9223372036854775808', '1.5', '9223372036854775808'] as const;
const count = (rng: Rng): string => validOr(rng, COUNTS, BAD_COUNTS, 0.1);

const RANKS = ['1', '2', '-1', '-2', '3', '-3', '100'] as const;
const BAD_RANKS = ['0', 'x', '-9223372036854775808', '9223372036854775807'] as const;
const LREM_COUNTS = ['0', '1', '2', '-1', '-2', '5', '-100'] as const;
const BAD_LREM_COUNTS = ['x', '1.0', '9223372036854775808'] as const;

function lposOptions(rng: Rng): string[] {
  const out: string[][] = [];
  if (rng.chance(0.5)) out.push([rng.pick(['RANK', 'rank']), validOr(rng, RANKS, BAD_RANKS, 0.1)]);
  if (rng.chance(0.5)) out.push([rng.pick(['COUNT', 'count']), validOr(rng, ['0', '1', '2', '10'], ['-1', 'y'], 0.1)]);
  if (rng.chance(0.3))
    out.push([rng.pick(['MAXLEN', 'maxlen']), validOr(rng, ['0', '1', '3', '50'], ['-2', 'z'], 0.1)]);
  if (rng.chance(0.03)) out.push([rng.pick(['RANK', 'COUNT', 'MAXLEN', 'FOO'])]);
  return rng.shuffle(out).flat();
}

function lmpop(rng: Rng): string[] {
  const keys = Array.from({ length: rng.int(1, 3) }, () => key(rng));
  const numkeys = rng.chance(0.05) ? rng.pick(['0', '-1', 'x', '5']) : String(keys.length);
  const args = ['LMPOP', numkeys, ...keys, side(rng)];
  if (rng.chance(0.5))
    args.push(rng.pick(['COUNT', 'count']), validOr(rng, ['1', '2', '5', '200'], ['0', '-1', 'q'], 0.1));
  if (rng.chance(0.03)) args.push(rng.pick(['COUNT', 'x']));
  return args;
}

export const LISTS: GroupGenerator = {
  name: 'lists',
  commands: {
    lpush: { gen: (r) => step(['LPUSH', key(r), ...elements(r)]), weight: 4 },
    rpush: { gen: (r) => step(['RPUSH', key(r), ...elements(r)]), weight: 4 },
    lpushx: { gen: (r) => step(['LPUSHX', key(r), ...elements(r)]) },
    rpushx: { gen: (r) => step(['RPUSHX', key(r), ...elements(r)]) },
    lpop: { gen: (r) => step(r.chance(0.5) ? ['LPOP', key(r)] : ['LPOP', key(r), count(r)]), weight: 2 },
    rpop: { gen: (r) => step(r.chance(0.5) ? ['RPOP', key(r)] : ['RPOP', key(r), count(r)]), weight: 2 },
    llen: { gen: (r) => step(['LLEN', key(r)]) },
    lrange: { gen: (r) => step(['LRANGE', key(r), index(r), index(r)]), weight: 3 },
    lindex: { gen: (r) => step(['LINDEX', key(r), index(r)]), weight: 2 },
    lset: { gen: (r) => step(['LSET', key(r), index(r), element(r)]), weight: 2 },
    linsert: {
      gen: (r) =>
        step([
          'LINSERT',
          key(r),
          validOr(r, ['BEFORE', 'AFTER', 'before', 'After'], ['IN', ''], 0.05),
          element(r),
          element(r),
        ]),
      weight: 2,
    },
    lrem: { gen: (r) => step(['LREM', key(r), validOr(r, LREM_COUNTS, BAD_LREM_COUNTS, 0.05), element(r)]), weight: 2 },
    ltrim: { gen: (r) => step(['LTRIM', key(r), index(r), index(r)]) },
    lpos: { gen: (r) => step(['LPOS', key(r), element(r), ...lposOptions(r)]), weight: 3 },
    lmove: { gen: (r) => step(['LMOVE', key(r), key(r), side(r), side(r)]), weight: 2 },
    rpoplpush: { gen: (r) => step(['RPOPLPUSH', key(r), key(r)]) },
    lmpop: { gen: (r) => step(lmpop(r)), weight: 2 },
    object: { gen: (r) => step(['OBJECT', 'ENCODING', key(r)]), weight: 0.5 },
    type: { gen: (r) => step(['TYPE', key(r)]), weight: 0.3 },
    copy: { gen: (r) => step(['COPY', key(r), key(r)]), weight: 0.3 },
    // foreign writes so list commands meet other types and missing keys
    set: { gen: (r) => step(['SET', key(r), value(r)]), weight: 0.3 },
    // short values: a hash that once held a long value keeps Redis's hashtable encoding, which the engine does not track
    hset: { gen: (r) => step(['HSET', key(r), 'f', r.pick(['v', '1', ''])]), weight: 0.2 },
    del: { gen: (r) => step(['DEL', key(r)]), weight: 0.4 },
  },
};
