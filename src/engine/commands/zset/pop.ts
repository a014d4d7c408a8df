/**
 * Popping the lowest or highest members (Redis's genericZpopCommand), shared by ZPOPMIN, ZPOPMAX and ZMPOP.
 * Cost: O(log n) to locate plus O(m) for the m members popped.
 */
import type { CommandContext } from '../../command';
import { SYNTAX, VALUE_OUT_OF_RANGE_POSITIVE } from '../../errors';
import { array, bulk, double, EMPTY_ARRAY, NULL_ARRAY, type Reply } from '../../reply';
import type { SortedSet } from '../../structures/sortedset';
import { isSortedSet, zsetForRead, zsetWritten } from './access';
import { longArg } from './range-parsing';

export type PopEnd = 'min' | 'max';

/** Removes up to `count` members from one end; returns them in pop order (lowest first for min, highest for max). */
export function popEntries(zs: SortedSet, end: PopEnd, count: number): { members: Buffer[]; scores: number[] } {
  const n = Math.min(count, zs.size);
  if (n <= 0) return { members: [], scores: [] };
  const first = end === 'min' ? 0 : zs.size - n;
  const taken = zs.slice(first, first + n - 1, end === 'max', true);
  zs.removeRange(first, first + n - 1);
  return taken;
}

/** ZPOPMIN / ZPOPMAX key [count]: `count` undefined pops one member and always replies flat. */
/** ZPOPMIN / ZPOPMAX key [count]: argument checks, then zpopCommand. */
export function zpopFromArgs(ctx: CommandContext, end: PopEnd): Reply {
  if (ctx.argv.length > 3) return SYNTAX;
  let count: number | undefined;
  if (ctx.argv.length === 3) {
    count = longArg(ctx.argv[2]!);
    // Redis answers the same for a non-integer and a negative count here
    if (count === undefined || count < 0) return VALUE_OUT_OF_RANGE_POSITIVE;
  }
  return zpopCommand(ctx, end, count);
}

export function zpopCommand(ctx: CommandContext, end: PopEnd, count: number | undefined): Reply {
  const { argv, db, now } = ctx;
  const zs = zsetForRead(db, argv[1]!, now);
  if (zs === undefined) return EMPTY_ARRAY;
  if (!isSortedSet(zs)) return zs;
  if (count === 0) return EMPTY_ARRAY;
  const { members, scores } = popEntries(zs, end, count ?? 1);
  zsetWritten(db, argv[1]!, zs);
  // RESP3 with an explicit count nests [member, score] pairs; otherwise the reply is flat
  const nested = ctx.session.resp === 3 && count !== undefined;
  const out: Reply[] = [];
  for (let i = 0; i < members.length; i++) {
    if (nested) out.push(array([bulk(members[i]!), double(scores[i]!)]));
    else out.push(bulk(members[i]!), double(scores[i]!));
  }
  return array(out);
}

/**
 * ZMPOP's core: pops from the first non-empty sorted set among `keys` (a key of another type is an error even when
 * an earlier one was missing); replies [key, [[member, score], …]], or a null array when every key is missing.
 */
export function zmpopFrom(ctx: CommandContext, keys: Buffer[], end: PopEnd, count: number): Reply {
  const { db, now } = ctx;
  for (const key of keys) {
    const zs = zsetForRead(db, key, now);
    if (zs === undefined) continue;
    if (!isSortedSet(zs)) return zs;
    const { members, scores } = popEntries(zs, end, count);
    zsetWritten(db, key, zs);
    return array([bulk(key), array(members.map((m, i) => array([bulk(m), double(scores[i]!)])))]);
  }
  return NULL_ARRAY;
}
