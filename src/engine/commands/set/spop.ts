import type { CommandContext, CommandSpec } from '../../command';
import { SYNTAX, VALUE_OUT_OF_RANGE_POSITIVE } from '../../errors';
import { parseInt64 } from '../../numbers';
import { bulk, NULL, type Reply, set } from '../../reply';
import {
  isMembers,
  memberBytes,
  memberReplies,
  noteFresh,
  oneKey,
  orderedMembers,
  randomDistinct,
  randomMember,
  setForRead,
  setWritten,
} from './access';

/** Redis's SPOP_MOVE_STRATEGY_MUL: above remaining*5 > count it pops one by one, else it rebuilds the rest. */
const MOVE_STRATEGY_MUL = 5n;

function popOne({ argv, db, now }: CommandContext): Reply {
  const s = setForRead(db, argv[1]!, now);
  if (s === undefined) return NULL;
  if (!isMembers(s)) return s;
  const m = randomMember(s)!;
  s.delete(m);
  setWritten(db, argv[1]!, s);
  return bulk(memberBytes(m));
}

function popCount({ argv, db, now }: CommandContext): Reply {
  const l = parseInt64(argv[2]!);
  if (l === undefined || l < 0n) return VALUE_OUT_OF_RANGE_POSITIVE;
  const s = setForRead(db, argv[1]!, now);
  if (s === undefined) return set([]);
  if (!isMembers(s)) return s;
  if (l === 0n) return set([]);
  const size = BigInt(s.size);
  if (l >= size) {
    // the whole set, in its order (ascending for an intset)
    const all = orderedMembers(s);
    s.clear();
    setWritten(db, argv[1]!, s);
    return set(memberReplies(all));
  }
  const remaining = size - l;
  let popped: string[];
  if (remaining * MOVE_STRATEGY_MUL > l) {
    popped = randomDistinct(s, Number(l));
    for (const m of popped) s.delete(m);
  } else {
    // Redis moves the remaining members to a new set (whose encoding follows its contents) and replies with
    // what is left of the old one, in the old one's order
    const keep = new Set(randomDistinct(s, Number(remaining)));
    popped = orderedMembers(s).filter((m) => !keep.has(m));
    for (const m of popped) s.delete(m);
    noteFresh(s);
  }
  setWritten(db, argv[1]!, s);
  return set(memberReplies(popped));
}

/**
 * SPOP key [count]. Without a count: one random member (nil for a missing key). With a count: a RESP3 set of
 * up to `count` distinct random members, the whole set (in its order) when count ≥ its size.
 */
export const spop: CommandSpec = {
  name: 'spop',
  arity: -2,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
  summary:
    'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
  since: '1.0.0',
  run(ctx) {
    if (ctx.argv.length === 2) return popOne(ctx);
    if (ctx.argv.length === 3) return popCount(ctx);
    return SYNTAX;
  },
};
