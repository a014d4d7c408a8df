/**
 * Generator for the set commands (plus a few foreign writes so set commands meet WRONGTYPE).
 *
 * Redis reports an intset's members in ascending order but a hashtable's in an order of its own, so replies
 * listing members are compared exactly only when they come from an intset: the INT_KEYS hold integers only and
 * never grow past 512 members (nothing writes anything else there: SADD and SMOVE bring integers, store commands
 * read INT_KEYS only), so they stay intsets. Every other listing is compared sorted.
 *
 * SPOP is destructive and random: here it only pops whole sets (count ≥ any set's size), which is deterministic;
 * sets.test.ts checks partial pops separately.
 */
import { scanOptions } from './hashes';
import type { Rng } from './random';
import { type Compare, EXACT, type Step } from './step';
import { type GroupGenerator, KEYS, MEMBERS, member, step, validOr, value } from './vocab';

export const INT_KEYS = ['i:1', 'i:2', 'i:3'] as const;
/** Members intsets take (string2ll integers), in no particular order. */
export const INT_MEMBERS = [
  '0',
  '1',
  '2',
  '3',
  '-1',
  '10',
  '42',
  '-100',
  '1000000',
  '9223372036854775807',
  '-9223372036854775808',
] as const;
/** Look like numbers, but are not integers to string2ll: they make a set a hashtable. */
const NEAR_INTS = ['007', '-0', '+1', ' 1', '1.0', '9223372036854775808', '0x10'] as const;
const ANY_MEMBERS = [...MEMBERS, ...INT_MEMBERS, ...NEAR_INTS] as const;

const SORTED: Compare = Object.freeze({ kind: 'sorted' });

const anyKey = (r: Rng): string => (r.chance(0.35) ? r.pick(INT_KEYS) : r.pick(KEYS));
const intMember = (r: Rng): string => r.pick(INT_MEMBERS);
const anyMember = (r: Rng): string => (r.chance(0.5) ? intMember(r) : r.pick(ANY_MEMBERS));
const isIntKey = (k: string): boolean => (INT_KEYS as readonly string[]).includes(k);
/** A member fit for key `k`: integers only for INT_KEYS. */
const memberFor = (r: Rng, k: string): string => (isIntKey(k) ? intMember(r) : anyMember(r));

function keyList(r: Rng, intOnly: boolean, lo = 1, hi = 4): string[] {
  return Array.from({ length: r.int(lo, hi) }, () => (intOnly ? r.pick(INT_KEYS) : anyKey(r)));
}

/** SINTER/SUNION/SDIFF: exact when every input is an intset (SDIFF: when the first is, as results ⊆ it). */
function operation(name: string, diff: boolean): (r: Rng) => Step {
  return (r) => {
    const keys = keyList(r, r.chance(0.4));
    const exact = diff ? isIntKey(keys[0]!) : keys.every(isIntKey);
    return step([name, ...keys], exact ? EXACT : SORTED);
  };
}

/** The STORE forms: a destination among INT_KEYS only takes the result of INT_KEYS. */
function store(name: string): (r: Rng) => Step {
  return (r) => {
    const dst = anyKey(r);
    return step([name, dst, ...keyList(r, isIntKey(dst))]);
  };
}

const RAND_COUNTS = ['0', '1', '2', '3', '8', '20', '1000', '-1', '-5', '-20', 'abc', '-9223372036854775808'] as const;
const POP_COUNTS = ['1000', '1000', '1000', '0', '-1', 'x', '', '9223372036854775808'] as const;

function srandmember(r: Rng): Step {
  const k = anyKey(r);
  if (r.chance(0.25)) return step(['SRANDMEMBER', k], { kind: 'randomOne' });
  const count = r.pick(RAND_COUNTS);
  const args = ['SRANDMEMBER', k, count];
  if (r.chance(0.03)) args.push('x');
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  // never EXACT: the mangler would shorten an exact step into the one-member (random) form
  return n === 0n ? step(args, SORTED) : step(args, { kind: 'randomCount', count: n, unit: 1 });
}

function sintercard(r: Rng): Step {
  const keys = keyList(r, false);
  const numkeys = r.chance(0.1) ? r.pick(['0', '-1', 'x', String(keys.length + 1)]) : String(keys.length);
  const args = ['SINTERCARD', numkeys, ...keys];
  if (r.chance(0.4)) args.push(r.pick(['LIMIT', 'limit']), validOr(r, ['0', '1', '2', '5'], ['-1', 'x'], 0.15));
  if (r.chance(0.03)) args.push(r.pick(['LIMIT', 'x']));
  return step(args);
}

export const SETS: GroupGenerator = {
  name: 'sets',
  commands: {
    sadd: {
      gen: (r) => {
        const k = anyKey(r);
        return step(['SADD', k, ...Array.from({ length: r.int(1, 4) }, () => memberFor(r, k))]);
      },
      weight: 5,
      noExtraArg: 'an appended argument would be a non-integer member of an INT_KEYS set',
    },
    srem: {
      gen: (r) => step(['SREM', anyKey(r), ...Array.from({ length: r.int(1, 3) }, () => anyMember(r))]),
      weight: 2,
    },
    smembers: {
      gen: (r) => {
        const k = anyKey(r);
        return step(['SMEMBERS', k], isIntKey(k) ? EXACT : SORTED);
      },
      weight: 2,
    },
    sismember: { gen: (r) => step(['SISMEMBER', anyKey(r), anyMember(r)]) },
    smismember: {
      gen: (r) => step(['SMISMEMBER', anyKey(r), ...Array.from({ length: r.int(1, 4) }, () => anyMember(r))]),
    },
    scard: { gen: (r) => step(['SCARD', anyKey(r)]) },
    spop: {
      gen: (r) => {
        const args = ['SPOP', anyKey(r), r.pick(POP_COUNTS)];
        if (r.chance(0.05)) args.push('1');
        return step(args, SORTED);
      },
      weight: 0.5,
    },
    srandmember: { gen: srandmember, weight: 1.5 },
    smove: {
      gen: (r) => {
        const src = anyKey(r);
        const dst = r.chance(0.1) ? src : anyKey(r);
        return step(['SMOVE', src, dst, memberFor(r, dst)]);
      },
      weight: 2,
    },
    sinter: { gen: operation('SINTER', false) },
    sintercard: { gen: sintercard },
    sinterstore: { gen: store('SINTERSTORE') },
    sunion: { gen: operation('SUNION', false) },
    sunionstore: { gen: store('SUNIONSTORE') },
    sdiff: { gen: operation('SDIFF', true) },
    sdiffstore: { gen: store('SDIFFSTORE') },
    sscan: {
      gen: (r) =>
        r.chance(0.1)
          ? step(['SSCAN', anyKey(r), r.pick(['abc', '-', ' 1', '18446744073709551616']), ...scanOptions(r)])
          : step(['SSCAN', anyKey(r), '0', ...scanOptions(r)], { kind: 'scan', cursorAt: 2, pairs: false }),
    },
    // how the key commands see sets; COPY and RENAME only move intsets (see the encoding note in the report)
    object: { gen: (r) => step(['OBJECT', 'ENCODING', anyKey(r)]), weight: 1.5 },
    type: { gen: (r) => step(['TYPE', anyKey(r)]), weight: 0.3 },
    scan: {
      gen: (r) =>
        step(['SCAN', '0', 'TYPE', r.pick(['set', 'SET', 'string'])], { kind: 'scan', cursorAt: 1, pairs: false }),
      weight: 0.3,
    },
    copy: {
      gen: (r) => step(['COPY', r.pick(INT_KEYS), anyKey(r), ...(r.chance(0.5) ? ['REPLACE'] : [])]),
      weight: 0.3,
    },
    rename: { gen: (r) => step(['RENAME', r.pick(INT_KEYS), anyKey(r)]), weight: 0.2 },
    // foreign writes so set commands meet other types and missing keys
    set: { gen: (r) => step(['SET', anyKey(r), value(r)]), weight: 0.3 },
    hset: { gen: (r) => step(['HSET', anyKey(r), member(r), value(r)]), weight: 0.2 },
    del: { gen: (r) => step(['DEL', anyKey(r)]), weight: 0.4 },
    expire: { gen: (r) => step(['EXPIRE', anyKey(r), '100000']), weight: 0.2 },
    ttl: { gen: (r) => step(['TTL', anyKey(r)], { kind: 'near', tolerance: 2n }), weight: 0.2 },
  },
};
