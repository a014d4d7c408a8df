/**
 * Generator for the key-space and string commands. Expiry only takes deterministic forms: absolute times far in
 * the future or in the past, or relative amounts far longer than a run; GT/LT only with absolute times (two
 * relative deadlines set a few ms apart compare differently on each side). TTL-like replies compare with a
 * tolerance.
 */
import { scanOptions } from './hashes';
import type { Rng } from './random';
import type { Step } from './step';
import {
  FUTURE_MS,
  FUTURE_S,
  float,
  type GroupGenerator,
  index,
  int,
  KEYS,
  key,
  member,
  PAST_MS,
  PAST_S,
  PATTERNS,
  relMs,
  relS,
  step,
  value,
} from './vocab';

const NEAR_S = { kind: 'near', tolerance: 2n } as const;
const NEAR_MS = { kind: 'near', tolerance: 2000n } as const;

const keys = (rng: Rng, lo = 1, hi = 3): string[] => rng.some(KEYS, lo, hi);
const absMs = (rng: Rng): string => rng.pick(rng.chance(0.7) ? FUTURE_MS : PAST_MS);
const absS = (rng: Rng): string => rng.pick(rng.chance(0.7) ? FUTURE_S : PAST_S);
const cond = (rng: Rng, absolute: boolean): string[] => {
  if (!rng.chance(0.4)) return [];
  const opts = absolute ? ['NX', 'XX', 'GT', 'LT', 'nx', 'gt'] : ['NX', 'XX', 'xx'];
  const out = [rng.pick(opts)];
  if (rng.chance(0.1)) out.push(rng.pick(opts)); // incompatible pairs → errors
  return out;
};

/** SET's options in a random order, sometimes conflicting. */
function setOptions(rng: Rng): string[] {
  const out: string[][] = [];
  if (rng.chance(0.3)) out.push([rng.pick(['NX', 'XX'])]);
  if (rng.chance(0.2)) out.push(['GET']);
  if (rng.chance(0.4)) {
    const e = rng.int(0, 4);
    if (e === 0) out.push(['EX', relS(rng)]);
    else if (e === 1) out.push(['PX', relMs(rng)]);
    // Only future deadlines: Redis 7.0 stores a SET with a past EXAT/PXAT and reclaims it later, so DBSIZE
    // would depend on when its active expiry cycle runs.
    else if (e === 2) out.push(['EXAT', rng.pick(FUTURE_S)]);
    else if (e === 3) out.push(['PXAT', rng.pick(FUTURE_MS)]);
    else out.push(['KEEPTTL']);
  }
  if (rng.chance(0.05)) out.push([rng.pick(['EX', 'PX', 'NX', 'KEEPTTL', 'FOO'])]);
  return rng.shuffle(out).flat();
}

function getexOptions(rng: Rng): string[] {
  switch (rng.int(0, 6)) {
    case 0:
      return ['EX', relS(rng)];
    case 1:
      return ['PX', relMs(rng)];
    case 2:
      return ['EXAT', absS(rng)];
    case 3:
      return ['PXAT', absMs(rng)];
    case 4:
      return ['PERSIST'];
    case 5:
      return rng.chance(0.5) ? ['EX'] : ['PERSIST', 'EX', '100000'];
    default:
      return [];
  }
}

const SETRANGE_OFFSETS = ['0', '1', '3', '10', '-1', 'abc', '536870912', '9223372036854775807'] as const;

function copy(rng: Rng): Step {
  const args = ['COPY', key(rng), key(rng)];
  if (rng.chance(0.2)) args.push('DB', rng.pick(['0', '1', '99', 'abc']));
  if (rng.chance(0.4)) args.push('REPLACE');
  return step(args);
}

export const KEYS_STRINGS: GroupGenerator = {
  name: 'keys-strings',
  commands: {
    // keys
    del: { gen: (r) => step(['DEL', ...keys(r)]) },
    unlink: { gen: (r) => step(['UNLINK', ...keys(r)]) },
    exists: { gen: (r) => step(['EXISTS', ...keys(r, 1, 4)]) },
    type: { gen: (r) => step(['TYPE', key(r)]) },
    expire: { gen: (r) => step(['EXPIRE', key(r), relS(r), ...cond(r, false)]) },
    pexpire: { gen: (r) => step(['PEXPIRE', key(r), relMs(r), ...cond(r, false)]) },
    expireat: { gen: (r) => step(['EXPIREAT', key(r), absS(r), ...cond(r, true)]) },
    pexpireat: { gen: (r) => step(['PEXPIREAT', key(r), absMs(r), ...cond(r, true)]), weight: 1.5 },
    ttl: { gen: (r) => step(['TTL', key(r)], NEAR_S) },
    pttl: { gen: (r) => step(['PTTL', key(r)], NEAR_MS) },
    expiretime: { gen: (r) => step(['EXPIRETIME', key(r)], NEAR_S) },
    pexpiretime: { gen: (r) => step(['PEXPIRETIME', key(r)], NEAR_MS) },
    persist: { gen: (r) => step(['PERSIST', key(r)]) },
    keys: { gen: (r) => step(['KEYS', r.pick(PATTERNS)], { kind: 'sorted' }) },
    scan: {
      gen: (r) => {
        const opts = scanOptions(r);
        if (r.chance(0.3)) opts.push('TYPE', r.pick(['string', 'hash', 'zset', 'list', 'nosuch', 'STRING']));
        if (r.chance(0.1)) return step(['SCAN', r.pick(['abc', '-', ' 1', '18446744073709551616']), ...opts]);
        return step(['SCAN', '0', ...opts], { kind: 'scan', cursorAt: 1, pairs: false });
      },
    },
    rename: { gen: (r) => step(['RENAME', key(r), key(r)]) },
    renamenx: { gen: (r) => step(['RENAMENX', key(r), key(r)]) },
    randomkey: { gen: () => step(['RANDOMKEY'], { kind: 'randomOne' }) },
    dbsize: { gen: () => step(['DBSIZE']) },
    flushdb: {
      gen: (r) => step(['FLUSHDB', ...(r.chance(0.3) ? [r.pick(['ASYNC', 'SYNC', 'x'])] : [])]),
      weight: 0.05,
    },
    flushall: {
      gen: (r) => step(['FLUSHALL', ...(r.chance(0.3) ? [r.pick(['ASYNC', 'SYNC', 'x'])] : [])]),
      weight: 0.05,
    },
    touch: { gen: (r) => step(['TOUCH', ...keys(r)]) },
    copy: { gen: copy },
    object: {
      gen: (r) =>
        r.chance(0.9)
          ? step(['OBJECT', r.pick(['ENCODING', 'encoding']), key(r)])
          : step(['OBJECT', r.pick(['FOO', 'ENCODING']), ...(r.chance(0.5) ? [key(r)] : [])]),
    },
    // strings
    get: { gen: (r) => step(['GET', key(r)]), weight: 2 },
    set: { gen: (r) => step(['SET', key(r), value(r), ...setOptions(r)]), weight: 3 },
    setnx: { gen: (r) => step(['SETNX', key(r), value(r)]) },
    setex: { gen: (r) => step(['SETEX', key(r), relS(r), value(r)]) },
    psetex: { gen: (r) => step(['PSETEX', key(r), relMs(r), value(r)]) },
    getset: { gen: (r) => step(['GETSET', key(r), value(r)]) },
    getdel: { gen: (r) => step(['GETDEL', key(r)]) },
    getex: { gen: (r) => step(['GETEX', key(r), ...getexOptions(r)]) },
    mget: { gen: (r) => step(['MGET', ...keys(r, 1, 4)]) },
    mset: {
      gen: (r) => {
        const args = ['MSET'];
        for (let i = r.int(1, 3); i > 0; i--) args.push(key(r), value(r));
        if (r.chance(0.05)) args.push(key(r));
        return step(args);
      },
    },
    msetnx: {
      gen: (r) => {
        const args = ['MSETNX'];
        for (let i = r.int(1, 3); i > 0; i--) args.push(key(r), value(r));
        if (r.chance(0.05)) args.push(key(r));
        return step(args);
      },
    },
    incr: { gen: (r) => step(['INCR', key(r)]) },
    decr: { gen: (r) => step(['DECR', key(r)]) },
    incrby: { gen: (r) => step(['INCRBY', key(r), int(r)]) },
    decrby: { gen: (r) => step(['DECRBY', key(r), int(r)]) },
    incrbyfloat: { gen: (r) => step(['INCRBYFLOAT', key(r), float(r)]) },
    append: { gen: (r) => step(['APPEND', key(r), value(r)]) },
    strlen: { gen: (r) => step(['STRLEN', key(r)]) },
    getrange: { gen: (r) => step(['GETRANGE', key(r), index(r), index(r)]) },
    substr: { gen: (r) => step(['SUBSTR', key(r), index(r), index(r)]) },
    setrange: {
      gen: (r) => step(['SETRANGE', key(r), r.pick(SETRANGE_OFFSETS), r.pick(['', 'x', 'hello', '\x00\xff'])]),
    },
    // foreign writes so key commands see every type
    hset: { gen: (r) => step(['HSET', key(r), member(r), value(r)]), weight: 0.5 },
    zadd: { gen: (r) => step(['ZADD', key(r), r.pick(['1', '2', '-inf']), member(r)]), weight: 0.5 },
  },
};
