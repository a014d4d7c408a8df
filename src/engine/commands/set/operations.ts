/** SINTER / SUNION / SDIFF and their STORE and CARD forms. */
import type { CommandContext } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int, type Reply, set } from '../../reply';
import { type Members, memberReplies, orderedMembers, resultOrder, storeResult } from './access';

export type SetOperation = 'inter' | 'union' | 'diff';

/** The sets named by `keys` (undefined for a missing key), or WRONGTYPE: every key is checked first, as in 7.0. */
export function loadSets(ctx: CommandContext, keys: readonly Buffer[]): Array<Members | undefined> | Reply {
  const out: Array<Members | undefined> = [];
  for (const k of keys) {
    const v = ctx.db.lookup(keyOf(k), ctx.now);
    if (v === undefined) out.push(undefined);
    else if (v.type !== 'set') return WRONGTYPE;
    else out.push(v.v);
  }
  return out;
}

/**
 * The intersection, walking the smallest set in its own order (so an intset's members come out ascending), and
 * stopping after `limit` members when limit > 0.
 */
export function intersect(sets: Array<Members | undefined>, limit = 0): string[] {
  if (sets.some((s) => s === undefined || s.size === 0)) return [];
  const sorted = (sets as Members[]).slice().sort((a, b) => a.size - b.size);
  const [first, ...rest] = sorted;
  const out: string[] = [];
  for (const m of orderedMembers(first!)) {
    if (rest.every((s) => s === first || s.has(m))) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

export function combine(op: 'union' | 'diff', sets: Array<Members | undefined>): Members {
  const out: Members = new Set();
  if (op === 'union') {
    for (const s of sets) if (s) for (const m of s) out.add(m);
    return out;
  }
  const [first, ...rest] = sets;
  if (!first) return out;
  for (const m of first) if (!rest.some((s) => s?.has(m))) out.add(m);
  return out;
}

/** SINTER / SUNION / SDIFF key [key ...]: a RESP3 set reply. */
export function operationReply(ctx: CommandContext, op: SetOperation): Reply {
  const sets = loadSets(ctx, ctx.argv.slice(1));
  if (!Array.isArray(sets)) return sets;
  const members = op === 'inter' ? intersect(sets) : resultOrder(combine(op, sets));
  return set(memberReplies(members));
}

/** SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the size of the stored result. */
export function operationStore(ctx: CommandContext, op: SetOperation): Reply {
  const sets = loadSets(ctx, ctx.argv.slice(2));
  if (!Array.isArray(sets)) return sets;
  const result = op === 'inter' ? new Set(intersect(sets)) : combine(op, sets);
  storeResult(ctx.db, ctx.argv[1]!, result, ctx.now);
  return int(result.size);
}
