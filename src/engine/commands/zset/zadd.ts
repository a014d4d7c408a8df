import type { CommandContext, CommandSpec } from '../../command';
import { NOT_FLOAT, SYNTAX, ZADD_GT_LT_NX, ZADD_INCR_ONE_PAIR, ZADD_NX_XX, ZSCORE_NAN } from '../../errors';
import { double, int, NULL, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead, zsetForWrite, zsetWritten } from './access';
import { parseScore } from './range-parsing';

export interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

/**
 * Redis's zaddGenericCommand, shared by ZADD and ZINCRBY (which is ZADD INCR with no options). `scoreIndex` is
 * the argv index of the first score. All scores are parsed before anything is written: the command either runs
 * fully or not at all.
 */
export function zaddGeneric(ctx: CommandContext, flags: ZaddFlags, scoreIndex: number): Reply {
  const { argv, db, now } = ctx;
  const elements = argv.length - scoreIndex;
  if (elements === 0 || elements % 2 !== 0) return SYNTAX;
  const pairs = elements / 2;
  if (flags.nx && flags.xx) return ZADD_NX_XX;
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) return ZADD_GT_LT_NX;
  if (flags.incr && pairs > 1) return ZADD_INCR_ONE_PAIR;

  const scores: number[] = [];
  for (let j = 0; j < pairs; j++) {
    const s = parseScore(argv[scoreIndex + j * 2]!);
    if (s === undefined) return NOT_FLOAT;
    scores.push(s);
  }

  const key = argv[1]!;
  const existing = zsetForRead(db, key, now);
  if (existing !== undefined && !isSortedSet(existing)) return existing;
  if (existing === undefined && flags.xx) return flags.incr ? NULL : int(0);
  const zs = zsetForWrite(db, key, now);
  if (!isSortedSet(zs)) return zs;

  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  let failed = false;
  for (let j = 0; j < pairs; j++) {
    const member = argv[scoreIndex + j * 2 + 1]!;
    let score = scores[j]!;
    const current = zs.score(member);
    if (current !== undefined) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += current;
        if (Number.isNaN(score)) {
          failed = true;
          break;
        }
      }
      if ((flags.lt && score >= current) || (flags.gt && score <= current)) continue;
      if (score !== current) {
        zs.add(member, score);
        updated++;
      }
    } else {
      if (flags.xx) continue;
      zs.add(member, score);
      added++;
    }
    processed++;
    result = score;
  }
  if (added > 0 || updated > 0 || zs.size === 0) zsetWritten(db, key, zs);
  if (failed) return ZSCORE_NAN;
  if (flags.incr) return processed > 0 ? double(result) : NULL;
  return int(flags.ch ? added + updated : added);
}

const OPTIONS = new Map<string, keyof ZaddFlags>([
  ['NX', 'nx'],
  ['XX', 'xx'],
  ['GT', 'gt'],
  ['LT', 'lt'],
  ['CH', 'ch'],
  ['INCR', 'incr'],
]);

export const zadd: CommandSpec = {
  name: 'zadd',
  arity: -4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it does not exist.',
  since: '1.2.0',
  run(ctx) {
    const flags: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false };
    let scoreIndex = 2;
    for (; scoreIndex < ctx.argv.length; scoreIndex++) {
      const a = ctx.argv[scoreIndex]!;
      // options are words of 2 to 4 letters: a score ("0", "1.5", "-2") ends them without building a string
      const c = (a[0] ?? 0) | 0x20;
      if (a.length < 2 || a.length > 4 || c < 0x61 || c > 0x7a) break;
      const opt = OPTIONS.get(a.toString('latin1').toUpperCase());
      if (opt === undefined) break;
      flags[opt] = true;
    }
    return zaddGeneric(ctx, flags, scoreIndex);
  },
};
