/**
 * ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX (Redis's zremrangeGenericCommand): parse the range, find its
 * rank window in O(log n), remove it in one sweep. The range is parsed before the key is looked up, so a bad range
 * is reported even for a missing key or one of another type.
 */
import type { CommandContext } from '../../command';
import { MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING, NOT_INTEGER } from '../../errors';
import { int, type Reply } from '../../reply';
import type { SortedSet } from '../../structures/sortedset';
import { isSortedSet, zsetForRead, zsetWritten } from './access';
import {
  lexWindow,
  longArg,
  parseLexBound,
  parseScoreBound,
  type RankWindow,
  rankWindow,
  scoreWindow,
} from './range-parsing';

export type RemoveBy = 'rank' | 'score' | 'lex';

export function removeRangeCommand(ctx: CommandContext, by: RemoveBy): Reply {
  const { argv, db, now } = ctx;
  const window = parseWindow(by, argv[2]!, argv[3]!);
  if (typeof window !== 'function') return window;
  const zs = zsetForRead(db, argv[1]!, now);
  if (zs === undefined) return int(0);
  if (!isSortedSet(zs)) return zs;
  const { start, end } = window(zs);
  if (end <= start) return int(0);
  const removed = zs.removeRange(start, end - 1);
  zsetWritten(db, argv[1]!, zs);
  return int(removed);
}

function parseWindow(by: RemoveBy, a: Buffer, b: Buffer): ((zs: SortedSet) => RankWindow) | Reply {
  switch (by) {
    case 'rank': {
      const start = longArg(a);
      const stop = longArg(b);
      if (start === undefined || stop === undefined) return NOT_INTEGER;
      return (zs) => rankWindow(zs.size, start, stop, false);
    }
    case 'score': {
      const min = parseScoreBound(a);
      const max = parseScoreBound(b);
      if (min === undefined || max === undefined) return MIN_MAX_NOT_FLOAT;
      return (zs) => scoreWindow(zs, min, max);
    }
    case 'lex': {
      const min = parseLexBound(a);
      const max = parseLexBound(b);
      if (min === undefined || max === undefined) return MIN_MAX_NOT_STRING;
      return (zs) => lexWindow(zs, min, max);
    }
  }
}
