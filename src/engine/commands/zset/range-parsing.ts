/**
 * Scores and ranges as sorted-set commands take them, with Redis's exact parsing rules, and their translation
 * into rank windows on a SortedSet (so every range command costs O(log n) to locate plus the size of its result).
 *
 * - A score (ZADD, ZINCRBY) is parsed like Redis's string2d: no surrounding spaces, no NaN, and a value that
 *   overflows to ±inf or underflows to 0 is rejected ("1e400" is not a float, "inf" is).
 * - A score bound (ZRANGEBYSCORE, ZCOUNT…) is parsed like zslParseRange, i.e. with plain strtod: an optional "("
 *   makes it exclusive, leading whitespace is accepted, "" means 0, "1e400" means inf, NaN is refused.
 * - A lex bound is "-" / "+" (the extremes) or "[member" / "(member" (inclusive / exclusive).
 */
import { parseDouble, parseSafeInt } from '../../numbers';
import type { SortedSet } from '../../structures/sortedset';

export interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

export type LexBound =
  | { readonly kind: 'min' }
  | { readonly kind: 'max' }
  | { readonly kind: 'member'; readonly member: Buffer; readonly exclusive: boolean };

/** A half-open window [start, end) of ascending ranks; empty when end <= start. */
export interface RankWindow {
  readonly start: number;
  readonly end: number;
}

const INFINITE_RE = /^[+-]?(inf|infinity)$/i;

/** A score argument (ZADD, ZINCRBY, WEIGHTS), or undefined when Redis would reply "is not a valid float". */
export function parseScore(b: Buffer): number | undefined {
  const v = parseDouble(b);
  if (v === undefined) return undefined;
  // the common cases need no text checks: a finite non-zero value, or a plain "0"
  if ((v !== 0 && Number.isFinite(v)) || (b.length === 1 && b[0] === 0x30)) return v;
  const s = b.toString('latin1');
  // string2d refuses strtod's ERANGE results: overflow to ±HUGE_VAL and underflow to zero.
  if (!Number.isFinite(v) && !INFINITE_RE.test(s)) return undefined;
  if (v === 0 && hasNonZeroMantissa(s)) return undefined;
  return v; // -0 stays -0: replies computed from it (ZADD INCR, WEIGHTS) print "-0" as Redis does
}

function hasNonZeroMantissa(s: string): boolean {
  const t = s.replace(/^[+-]/, '');
  if (/^0[xX]/.test(t)) return /[1-9a-fA-F]/.test(t.slice(2).split(/[pP]/)[0]!);
  return /[1-9]/.test(t.split(/[eE]/)[0]!);
}

const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** strtod over the whole text (leading spaces allowed, nothing after the number); undefined when invalid or NaN. */
function strtodWhole(s: Buffer): number | undefined {
  if (s.length === 0) return 0; // strtod converts nothing and stops at the terminator: Redis reads 0
  let i = 0;
  while (i < s.length && C_SPACE.has(s[i]!)) i++;
  return parseDouble(s.subarray(i));
}

/** One end of a score range, or undefined ("ERR min or max is not a float"). */
export function parseScoreBound(b: Buffer): ScoreBound | undefined {
  const exclusive = b.length > 0 && b[0] === 0x28; /* ( */
  const value = strtodWhole(exclusive ? b.subarray(1) : b);
  return value === undefined ? undefined : { value, exclusive };
}

/** One end of a lex range, or undefined ("ERR min or max not valid string range item"). */
export function parseLexBound(b: Buffer): LexBound | undefined {
  if (b.length === 0) return undefined;
  switch (b[0]) {
    case 0x2b /* + */:
      return b.length === 1 ? { kind: 'max' } : undefined;
    case 0x2d /* - */:
      return b.length === 1 ? { kind: 'min' } : undefined;
    case 0x28 /* ( */:
      return { kind: 'member', member: b.subarray(1), exclusive: true };
    case 0x5b /* [ */:
      return { kind: 'member', member: b.subarray(1), exclusive: false };
    default:
      return undefined;
  }
}

/** Ranks of the members with min <= score <= max (each end possibly exclusive). O(log n). */
export function scoreWindow(zs: SortedSet, min: ScoreBound, max: ScoreBound): RankWindow {
  const start = zs.countBelowScore(min.value, min.exclusive);
  const end = zs.countBelowScore(max.value, !max.exclusive);
  return { start, end };
}

/**
 * Ranks of the members between two lex bounds, after LIMIT `offset` `count` (see limitWindow), walking from the
 * high end when `reverse`. Lex ranges are meant for sets whose scores are all equal, where this is two O(log n)
 * descents. With mixed scores Redis walks its listpack linearly (small sets) and we reproduce that walk exactly —
 * the offset is skipped without range checks, so the answer need not be a sub-window of the unlimited one; for
 * large mixed sets Redis's answer depends on its skiplist's random levels, and we return the structure's
 * member-only descent.
 */
export function lexWindow(
  zs: SortedSet,
  min: LexBound,
  max: LexBound,
  reverse = false,
  offset = 0,
  count = -1,
): RankWindow {
  const n = zs.size;
  if (n > 1 && zs.encoding() === 'listpack' && zs.at(0)![1] !== zs.at(n - 1)![1]) {
    return listpackLexWalk(zs.slice(0, n - 1, false, false).members, min, max, reverse, offset, count);
  }
  const all = { start: lexRank(zs, min, true), end: lexRank(zs, max, false) };
  return offset === 0 && count < 0 ? all : limitWindow(all, offset, count, reverse);
}

function lexRank(zs: SortedSet, bound: LexBound, isMin: boolean): number {
  switch (bound.kind) {
    case 'min':
      return 0;
    case 'max':
      return zs.size;
    case 'member':
      // a min bound starts after the excluded member; a max bound ends after the included one
      return zs.countBelowLex(bound.member, isMin ? bound.exclusive : !bound.exclusive);
  }
}

const EMPTY_WINDOW: RankWindow = Object.freeze({ start: 0, end: 0 });

/**
 * zzlFirstInLexRange / zzlLastInLexRange and the walk that follows them (genericZrangebylexCommand over a
 * listpack), over members in (score, member) order.
 */
function listpackLexWalk(
  members: Buffer[],
  min: LexBound,
  max: LexBound,
  reverse: boolean,
  offset: number,
  count: number,
): RankWindow {
  const n = members.length;
  if (lexRangeIsEmpty(min, max)) return EMPTY_WINDOW;
  if (!gteMin(members[n - 1]!, min) || !lteMax(members[0]!, max)) return EMPTY_WINDOW;
  if (offset < 0) return EMPTY_WINDOW; // Redis's offset loop walks off the end
  const limit = count < 0 ? n : count;
  if (!reverse) {
    let first = 0;
    while (first < n && !gteMin(members[first]!, min)) first++;
    if (!lteMax(members[first]!, max)) return EMPTY_WINDOW;
    const start = first + offset;
    let end = start;
    while (end < n && end - start < limit && lteMax(members[end]!, max)) end++;
    return end > start ? { start, end } : EMPTY_WINDOW;
  }
  let last = n - 1;
  while (last >= 0 && !lteMax(members[last]!, max)) last--;
  if (!gteMin(members[last]!, min)) return EMPTY_WINDOW;
  const top = last - offset;
  let bottom = top;
  while (bottom >= 0 && top - bottom < limit && gteMin(members[bottom]!, min)) bottom--;
  return top > bottom ? { start: bottom + 1, end: top + 1 } : EMPTY_WINDOW;
}

/** sdscmplex with "-" below and "+" above every member. */
function compareBounds(a: LexBound, b: LexBound): number {
  if (a.kind === 'member' && b.kind === 'member') return Buffer.compare(a.member, b.member);
  if (a.kind === b.kind) return 0;
  return a.kind === 'min' || b.kind === 'max' ? -1 : 1;
}

const isExclusive = (b: LexBound): boolean => b.kind !== 'member' || b.exclusive;

function lexRangeIsEmpty(min: LexBound, max: LexBound): boolean {
  const c = compareBounds(min, max);
  return c > 0 || (c === 0 && (isExclusive(min) || isExclusive(max)));
}

function gteMin(m: Buffer, min: LexBound): boolean {
  if (min.kind !== 'member') return min.kind === 'min';
  const c = Buffer.compare(m, min.member);
  return min.exclusive ? c > 0 : c >= 0;
}

function lteMax(m: Buffer, max: LexBound): boolean {
  if (max.kind !== 'member') return max.kind === 'max';
  const c = Buffer.compare(m, max.member);
  return max.exclusive ? c < 0 : c <= 0;
}

export const windowLength = (w: RankWindow): number => Math.max(0, w.end - w.start);

/**
 * Applies LIMIT offset count to a window, walking from its low end (or from its high end when reverse), like
 * Redis's range walk: a negative offset walks off the end (empty), a negative count means "all the rest".
 */
export function limitWindow(w: RankWindow, offset: number, count: number, reverse: boolean): RankWindow {
  if (offset < 0 || w.end - w.start <= offset) return { start: 0, end: 0 };
  const available = w.end - w.start - offset;
  const take = count < 0 ? available : Math.min(count, available);
  if (reverse) {
    const end = w.end - offset;
    return { start: end - take, end };
  }
  const start = w.start + offset;
  return { start, end: start + take };
}

/**
 * A rank range as ZRANGE/ZREMRANGEBYRANK take it (negative indexes count from the end), normalised against
 * `size` to an ascending window; the reverse variants index from the top and are mapped here too.
 */
export function rankWindow(size: number, start: number, stop: number, reverse: boolean): RankWindow {
  if (start < 0) start = size + start;
  if (stop < 0) stop = size + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return { start: 0, end: 0 };
  if (stop >= size) stop = size - 1;
  return reverse ? { start: size - 1 - stop, end: size - start } : { start, end: stop + 1 };
}

/** A signed 64-bit integer argument as a JS number (clamped beyond 2^53, harmless for ranks and counts). */
export function longArg(b: Buffer): number | undefined {
  return parseSafeInt(b);
}
