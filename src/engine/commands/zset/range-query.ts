/**
 * The one implementation behind ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZREVRANGE, ZRANGEBYLEX and
 * ZREVRANGEBYLEX (Redis's zrangeGenericCommand): the legacy commands are ZRANGE with the range type and direction
 * fixed, so they share its option parsing, its error precedence and its reply shapes.
 *
 * Cost: O(log n) to turn the range into a rank window, plus O(m) for the m entries returned.
 */
import type { CommandContext } from '../../command';
import {
  LIMIT_NEEDS_BY,
  MIN_MAX_NOT_FLOAT,
  MIN_MAX_NOT_STRING,
  NOT_INTEGER,
  SYNTAX,
  WITHSCORES_BYLEX,
} from '../../errors';
import { EMPTY_ARRAY, int, KeyRangeReply, type Reply } from '../../reply';
import { SortedSet } from '../../structures/sortedset';
import { isOpt } from '../arguments';
import { isSortedSet, storeZset, zsetForRead } from './access';
import {
  lexWindow,
  limitWindow,
  longArg,
  parseLexBound,
  parseScoreBound,
  type RankWindow,
  rankWindow,
  scoreWindow,
} from './range-parsing';
import { membersReply } from './reply-shapes';

export type RangeType = 'rank' | 'score' | 'lex';

export interface RangeCommandShape {
  /** argv index of the source key (1, or 2 for ZRANGESTORE whose argv[1] is the destination) */
  readonly sourceIndex: number;
  readonly store: boolean;
  /** fixed by the legacy commands; ZRANGE and ZRANGESTORE take BYSCORE/BYLEX */
  readonly type?: RangeType;
  /** fixed by the legacy commands; ZRANGE and ZRANGESTORE take REV */
  readonly reverse?: boolean;
}

/** A parsed BYSCORE / BYLEX range: the rank window it selects after LIMIT offset count. */
type LimitedWindow = (zs: SortedSet, offset: number, count: number) => RankWindow;

type ParsedRange =
  | { readonly type: 'rank'; readonly start: number; readonly stop: number }
  | { readonly type: 'score' | 'lex'; readonly window: LimitedWindow };

export function rangeCommand(ctx: CommandContext, shape: RangeCommandShape): Reply {
  const { argv } = ctx;
  let type = shape.type;
  let reverse = shape.reverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;

  for (let j = shape.sourceIndex + 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const left = argv.length - j - 1;
    if (!shape.store && isOpt(opt, 'WITHSCORES')) {
      withScores = true;
    } else if (isOpt(opt, 'LIMIT') && left >= 2) {
      const o = longArg(argv[j + 1]!);
      if (o === undefined) return NOT_INTEGER;
      const l = longArg(argv[j + 2]!);
      if (l === undefined) return NOT_INTEGER;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === undefined && isOpt(opt, 'REV')) {
      reverse = true;
    } else if (type === undefined && isOpt(opt, 'BYLEX')) {
      type = 'lex';
    } else if (type === undefined && isOpt(opt, 'BYSCORE')) {
      type = 'score';
    } else {
      return SYNTAX;
    }
  }
  reverse ??= false;
  type ??= 'rank';
  // "LIMIT 0 -1" is the same as no LIMIT, even for a rank range
  if (limit !== -1 && type === 'rank') return LIMIT_NEEDS_BY;
  if (withScores && type === 'lex') return WITHSCORES_BYLEX;

  let minArg = argv[shape.sourceIndex + 1]!;
  let maxArg = argv[shape.sourceIndex + 2]!;
  // the reverse score and lex forms take the range as max, min
  if (reverse && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];

  const range = parseRange(type, minArg, maxArg, reverse);
  if ('t' in range) return range;

  const found = zsetForRead(ctx.db, argv[shape.sourceIndex]!, ctx.now);
  if (found !== undefined && !isSortedSet(found)) return found;

  let window: RankWindow = { start: 0, end: 0 };
  if (found !== undefined) {
    if (range.type === 'rank') window = rankWindow(found.size, range.start, range.stop, reverse);
    else window = range.window(found, offset, limit);
  }
  const wantScores = withScores || shape.store;
  if (!wantScores) {
    // members only: read from the tree's leaves when the reply is written (the RESP writer encodes them in one pass)
    const keys = found === undefined ? null : found.keyRange(window.start, window.end - 1, reverse);
    return keys === null ? EMPTY_ARRAY : new KeyRangeReply(keys);
  }
  const entries =
    found !== undefined && window.end > window.start
      ? found.slice(window.start, window.end - 1, reverse, wantScores)
      : { members: [], scores: [] };

  if (shape.store) {
    const { members, scores } = entries;
    const ascending = members.map((member, i) => ({ member, score: scores[i]! }));
    if (reverse) ascending.reverse();
    const out = SortedSet.fromSorted(ascending);
    storeZset(ctx.db, argv[1]!, out, ctx.now);
    return int(out.size);
  }
  if (entries.members.length === 0) return EMPTY_ARRAY;
  return membersReply(entries.members, entries.scores, withScores, ctx.session);
}

function parseRange(type: RangeType, minArg: Buffer, maxArg: Buffer, reverse: boolean): ParsedRange | Reply {
  switch (type) {
    case 'rank': {
      const start = longArg(minArg);
      if (start === undefined) return NOT_INTEGER;
      const stop = longArg(maxArg);
      if (stop === undefined) return NOT_INTEGER;
      return { type, start, stop };
    }
    case 'score': {
      const min = parseScoreBound(minArg);
      const max = parseScoreBound(maxArg);
      if (min === undefined || max === undefined) return MIN_MAX_NOT_FLOAT;
      return { type, window: (zs, offset, count) => limitWindow(scoreWindow(zs, min, max), offset, count, reverse) };
    }
    case 'lex': {
      const min = parseLexBound(minArg);
      const max = parseLexBound(maxArg);
      if (min === undefined || max === undefined) return MIN_MAX_NOT_STRING;
      return { type, window: (zs, offset, count) => lexWindow(zs, min, max, reverse, offset, count) };
    }
  }
}
