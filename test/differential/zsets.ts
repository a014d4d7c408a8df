/**
 * Generator for the sorted-set commands. Lex-range commands (ZRANGEBYLEX, ZLEXCOUNT, ZRANGE BYLEX, …) are only
 * defined when all members share one score, so they run only on LEX_KEYS, and nothing that can create a non-zero
 * score ever writes there: ZADD uses zero scores on them, and store commands target them only from lex sources
 * without WEIGHTS.
 */
import { scanOptions } from './hashes';
import type { Rng } from './random';
import { EXACT, type Step } from './step';
import { type GroupGenerator, index, KEYS, key, LEX_KEYS, MEMBERS, member, step, validOr, value } from './vocab';

const SCORES = [
  '0',
  '1',
  '-1',
  '1.5',
  '-2.5',
  '2',
  '3',
  '10',
  '1e100',
  '-1e-100',
  'inf',
  '-inf',
  '+inf',
  '0x1p1',
  '5e-324',
] as const;
const BAD_SCORES = ['abc', 'nan', '', ' 1', '1x'] as const;
const ZERO_SCORES = ['0', '-0', '0.0', '+0', '0e5'] as const;
const SCORE_BOUNDS = [
  '-inf',
  '+inf',
  'inf',
  '0',
  '(0',
  '1',
  '(1',
  '2.5',
  '(2.5',
  '-1',
  '(-inf',
  '(+inf',
  '10',
  '1e100',
  '(3',
  '-2.5',
] as const;
const BAD_SCORE_BOUNDS = ['abc', '(abc', '(', 'nan', '[1'] as const;
const LEX_BOUNDS = [
  '-',
  '+',
  '[a',
  '(a',
  '[b',
  '(b',
  '[aa',
  '(ab',
  '[',
  '(',
  '[\xff',
  '(\xff\xfe',
  '[c',
  '(c',
  '[a\x00',
] as const;
const BAD_LEX_BOUNDS = ['a', 'b', '', '-a', '+b'] as const;
const LIMIT_OFFSETS = ['0', '0', '1', '2', '5'] as const;
const BAD_LIMIT_OFFSETS = ['-1', 'abc'] as const;
const LIMIT_COUNTS = ['0', '1', '2', '3', '-1', '-5', '100'] as const;
const BAD_LIMIT_COUNTS = ['abc', '1.5'] as const;
const POP_COUNTS = ['1', '2', '3', '10'] as const;
const BAD_POP_COUNTS = ['0', '-1', 'abc'] as const;
const RAND_COUNTS = ['0', '1', '2', '3', '8', '20', '-1', '-5', '-20', 'abc', '-9223372036854775808'] as const;

const WITHSCORE_IS_72 = 'a third argument is the Redis 7.2 WITHSCORE form, not in the 7.0.15 oracle';

const anyKey = (r: Rng): string => (r.chance(0.3) ? r.pick(LEX_KEYS) : key(r));
const lexKey = (r: Rng): string => (r.chance(0.97) ? r.pick(LEX_KEYS) : 'missing');
const score = (r: Rng): string => (r.chance(0.95) ? r.pick(SCORES) : r.pick(BAD_SCORES));
const scoreBound = (r: Rng): string => (r.chance(0.95) ? r.pick(SCORE_BOUNDS) : r.pick(BAD_SCORE_BOUNDS));
const lexBound = (r: Rng): string => (r.chance(0.95) ? r.pick(LEX_BOUNDS) : r.pick(BAD_LEX_BOUNDS));
const limit = (r: Rng): string[] => [
  'LIMIT',
  validOr(r, LIMIT_OFFSETS, BAD_LIMIT_OFFSETS, 0.1),
  validOr(r, LIMIT_COUNTS, BAD_LIMIT_COUNTS, 0.05),
];
const popCount = (r: Rng): string => validOr(r, POP_COUNTS, BAD_POP_COUNTS, 0.2);

function boundValue(bound: string): number {
  const t = bound.replace(/^[([]/, '');
  if (bound === '-' || /^-inf$/i.test(t)) return -Infinity;
  if (bound === '+' || /^\+?inf$/i.test(t)) return Infinity;
  const v = Number(t);
  return Number.isNaN(v) ? 0 : v;
}
const lexOrder = (bound: string): string => (bound === '-' ? '' : bound === '+' ? '\uffff' : bound.slice(1));

/**
 * Two range bounds, usually in the order the command expects (ascending, or descending for REV forms) so
 * that most ranges are non-empty; sometimes in random order.
 */
function range(r: Rng, kind: 'score' | 'lex', descending: boolean): [string, string] {
  const pick = kind === 'score' ? scoreBound : lexBound;
  const a = pick(r);
  const b = pick(r);
  if (r.chance(0.25)) return [a, b];
  const less = kind === 'score' ? boundValue(a) <= boundValue(b) : lexOrder(a) <= lexOrder(b);
  const [lo, hi] = less ? [a, b] : [b, a];
  return descending ? [hi, lo] : [lo, hi];
}
const isLex = (k: string): boolean => (LEX_KEYS as readonly string[]).includes(k);

function zadd(r: Rng): Step {
  const k = anyKey(r);
  const zero = isLex(k);
  const args = ['ZADD', k];
  const flags = ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'nx', 'ch'];
  for (let i = r.chance(0.5) ? r.int(1, 2) : 0; i > 0; i--) args.push(r.pick(flags));
  const n = r.chance(0.5) ? 1 : r.int(2, 5);
  for (let i = 0; i < n; i++) args.push(zero ? r.pick(ZERO_SCORES) : score(r), member(r));
  if (r.chance(0.03)) args.push(zero ? '0' : score(r)); // dangling score: syntax error
  return step(args);
}

/** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES], options in any order. */
function zrangeArgs(r: Rng, store: boolean): string[] {
  const mode = r.int(0, 2); // 0 index, 1 score, 2 lex
  const src = mode === 2 ? lexKey(r) : anyKey(r);
  const rev = r.chance(0.4);
  const [lo, hi] = mode === 0 ? [index(r), index(r)] : range(r, mode === 1 ? 'score' : 'lex', rev);
  const opts: string[][] = [];
  if (mode === 1) opts.push(['BYSCORE']);
  if (mode === 2) opts.push(['BYLEX']);
  if (rev) opts.push(['REV']);
  if (r.chance(mode === 0 ? 0.05 : 0.4)) opts.push(limit(r));
  if (!store && r.chance(mode === 2 ? 0.05 : 0.4)) opts.push(['WITHSCORES']);
  if (r.chance(0.03)) opts.push([r.pick(['BYSCORE', 'BYLEX', 'FOO', 'LIMIT'])]);
  const tail = r.shuffle(opts).flat();
  if (!store) return ['ZRANGE', src, lo, hi, ...tail];
  // a lex key receives a store only from a lex source
  const dst = isLex(src) && r.chance(0.5) ? r.pick(LEX_KEYS) : key(r);
  return ['ZRANGESTORE', dst, src, lo, hi, ...tail];
}

/** numkeys + keys [WEIGHTS …] [AGGREGATE …] [WITHSCORES] for ZUNION/ZINTER/ZDIFF(+STORE). */
function setOpArgs(r: Rng, cmd: string, store: boolean): string[] {
  const lexOnly = store && r.chance(0.3);
  const n = r.int(1, 3);
  const srcs = Array.from({ length: n }, () => (lexOnly ? r.pick(LEX_KEYS) : anyKey(r)));
  let numkeys = String(n);
  if (r.chance(0.05)) numkeys = r.pick(['0', '-1', 'abc', String(n + 2)]);
  const args = [cmd];
  if (store) args.push(lexOnly ? r.pick(LEX_KEYS) : key(r));
  args.push(numkeys, ...srcs);
  const isDiff = cmd.startsWith('ZDIFF');
  if (!lexOnly && r.chance(isDiff ? 0.05 : 0.3)) {
    args.push(
      'WEIGHTS',
      ...Array.from({ length: r.chance(0.9) ? n : n + 1 }, () =>
        r.pick(['1', '2', '0', '-1', '0.5', 'inf', '-inf', 'x']),
      ),
    );
  }
  if (r.chance(isDiff ? 0.05 : 0.3)) args.push('AGGREGATE', r.pick(['SUM', 'MIN', 'MAX', 'min', 'AVG']));
  if (!store && r.chance(0.5)) args.push('WITHSCORES');
  return args;
}

function randomMember(r: Rng): Step {
  const k = anyKey(r);
  if (r.chance(0.25)) return step(['ZRANDMEMBER', k], { kind: 'randomOne' });
  const count = r.pick(RAND_COUNTS);
  const withScores = r.chance(0.5);
  const args = ['ZRANDMEMBER', k, count];
  if (withScores) args.push(r.pick(['WITHSCORES', 'withscores', 'WITHSCORE']));
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  return n === 0n ? step(args, EXACT) : step(args, { kind: 'randomCount', count: n, unit: withScores ? 2 : 1 });
}

export const ZSETS: GroupGenerator = {
  name: 'zsets',
  commands: {
    zadd: {
      gen: zadd,
      weight: 12,
      noExtraArg: 'an appended argument can complete a dangling score into a non-zero pair on a lex key',
    },
    zincrby: { gen: (r) => step(['ZINCRBY', key(r), score(r), member(r)]) },
    zrem: { gen: (r) => step(['ZREM', anyKey(r), ...r.some(MEMBERS, 1, 3)]) },
    zscore: { gen: (r) => step(['ZSCORE', anyKey(r), member(r)]) },
    zmscore: { gen: (r) => step(['ZMSCORE', anyKey(r), ...r.some(MEMBERS, 1, 3)]) },
    zcard: { gen: (r) => step(['ZCARD', anyKey(r)]) },
    zcount: { gen: (r) => step(['ZCOUNT', anyKey(r), ...range(r, 'score', false)]) },
    zlexcount: { gen: (r) => step(['ZLEXCOUNT', lexKey(r), ...range(r, 'lex', false)]) },
    zrange: { gen: (r) => step(zrangeArgs(r, false)), weight: 4 },
    zrangestore: { gen: (r) => step(zrangeArgs(r, true)) },
    zrangebyscore: {
      gen: (r) => {
        const opts: string[][] = [];
        if (r.chance(0.4)) opts.push(['WITHSCORES']);
        if (r.chance(0.4)) opts.push(limit(r));
        return step(['ZRANGEBYSCORE', anyKey(r), ...range(r, 'score', false), ...r.shuffle(opts).flat()]);
      },
      weight: 2,
    },
    zrevrangebyscore: {
      gen: (r) => {
        const opts: string[][] = [];
        if (r.chance(0.4)) opts.push(['WITHSCORES']);
        if (r.chance(0.4)) opts.push(limit(r));
        return step(['ZREVRANGEBYSCORE', anyKey(r), ...range(r, 'score', true), ...r.shuffle(opts).flat()]);
      },
    },
    zrevrange: {
      gen: (r) => step(['ZREVRANGE', anyKey(r), index(r), index(r), ...(r.chance(0.4) ? ['WITHSCORES'] : [])]),
    },
    zrangebylex: {
      gen: (r) => step(['ZRANGEBYLEX', lexKey(r), ...range(r, 'lex', false), ...(r.chance(0.4) ? limit(r) : [])]),
      weight: 2,
    },
    zrevrangebylex: {
      gen: (r) => step(['ZREVRANGEBYLEX', lexKey(r), ...range(r, 'lex', true), ...(r.chance(0.4) ? limit(r) : [])]),
    },
    // ZRANK/ZREVRANK … WITHSCORE is Redis 7.2, which the engine implements on purpose (issue 2); the 7.0.15
    // oracle answers it with an arity error, so only the 7.0 form is compared. Engine tests cover WITHSCORE.
    zrank: { gen: (r) => step(['ZRANK', anyKey(r), member(r)]), noExtraArg: WITHSCORE_IS_72 },
    zrevrank: { gen: (r) => step(['ZREVRANK', anyKey(r), member(r)]), noExtraArg: WITHSCORE_IS_72 },
    zpopmin: { gen: (r) => step(['ZPOPMIN', anyKey(r), ...(r.chance(0.6) ? [popCount(r)] : [])]) },
    zpopmax: { gen: (r) => step(['ZPOPMAX', anyKey(r), ...(r.chance(0.6) ? [popCount(r)] : [])]) },
    zmpop: {
      gen: (r) => {
        const n = r.int(1, 3);
        const args = ['ZMPOP', r.chance(0.95) ? String(n) : r.pick(['0', '-1', 'abc', '9'])];
        for (let i = 0; i < n; i++) args.push(anyKey(r));
        args.push(r.pick(['MIN', 'MAX', 'min', 'MID']));
        if (r.chance(0.5)) args.push('COUNT', popCount(r));
        return step(args);
      },
    },
    zremrangebylex: { gen: (r) => step(['ZREMRANGEBYLEX', lexKey(r), ...range(r, 'lex', false)]) },
    zremrangebyscore: { gen: (r) => step(['ZREMRANGEBYSCORE', anyKey(r), ...range(r, 'score', false)]) },
    zremrangebyrank: { gen: (r) => step(['ZREMRANGEBYRANK', anyKey(r), index(r), index(r)]) },
    zrandmember: { gen: randomMember },
    zscan: {
      gen: (r) =>
        r.chance(0.1)
          ? step(['ZSCAN', anyKey(r), r.pick(['abc', '-', '18446744073709551616']), ...scanOptions(r)])
          : step(['ZSCAN', anyKey(r), '0', ...scanOptions(r)], { kind: 'scan', cursorAt: 2, pairs: true }),
    },
    zunion: { gen: (r) => step(setOpArgs(r, 'ZUNION', false)) },
    zinter: { gen: (r) => step(setOpArgs(r, 'ZINTER', false)) },
    zdiff: { gen: (r) => step(setOpArgs(r, 'ZDIFF', false)) },
    zunionstore: { gen: (r) => step(setOpArgs(r, 'ZUNIONSTORE', true)) },
    zinterstore: { gen: (r) => step(setOpArgs(r, 'ZINTERSTORE', true)) },
    zdiffstore: { gen: (r) => step(setOpArgs(r, 'ZDIFFSTORE', true)) },
    zintercard: {
      gen: (r) => {
        const n = r.int(1, 3);
        const args = ['ZINTERCARD', r.chance(0.95) ? String(n) : r.pick(['0', '-1', 'abc', '9'])];
        for (let i = 0; i < n; i++) args.push(anyKey(r));
        if (r.chance(0.4)) args.push('LIMIT', r.pick(['0', '1', '2', '-1', 'abc']));
        return step(args);
      },
    },
    // foreign writes: other types on general keys and lex keys (a string on a lex key is fine)
    set: { gen: (r) => step(['SET', r.chance(0.8) ? key(r) : r.pick(LEX_KEYS), value(r)]), weight: 0.3 },
    hset: { gen: (r) => step(['HSET', key(r), member(r), value(r)]), weight: 0.3 },
    del: { gen: (r) => step(['DEL', r.pick([...KEYS, ...LEX_KEYS])]), weight: 0.5 },
  },
};
