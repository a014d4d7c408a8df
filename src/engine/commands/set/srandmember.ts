import type { CommandContext, CommandSpec } from '../../command';
import { NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulk, EMPTY_ARRAY, error, NULL, type Reply } from '../../reply';
import {
  isMembers,
  memberBytes,
  memberReplies,
  oneKey,
  orderedMembers,
  randomDistinct,
  randomMember,
  setForRead,
} from './access';

const LONG_MAX = 9223372036854775807n;
const COUNT_RANGE = error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');

function withCount({ argv, db, now }: CommandContext): Reply {
  const l = parseInt64(argv[2]!);
  if (l === undefined) return NOT_INTEGER;
  if (l < -LONG_MAX) return COUNT_RANGE;
  const s = setForRead(db, argv[1]!, now);
  if (s === undefined) return EMPTY_ARRAY;
  if (!isMembers(s)) return s;
  if (l === 0n) return EMPTY_ARRAY;
  if (l < 0n) {
    // |count| independent picks, repeats allowed; a count beyond what fits in memory would fail in Redis too
    const all = [...s];
    const out: Reply[] = [];
    const count = Number(-l);
    for (let i = 0; i < count; i++) out.push(bulk(memberBytes(all[Math.floor(Math.random() * all.length)]!)));
    return array(out);
  }
  if (l >= BigInt(s.size)) return array(memberReplies(orderedMembers(s)));
  return array(memberReplies(randomDistinct(s, Number(l))));
}

/**
 * SRANDMEMBER key [count]. Without a count: one random member or nil. With a count ≥ 0: that many distinct
 * members (the whole set, in its order, when count ≥ its size); negative: |count| picks with repeats. Always an
 * array, never a RESP3 set, as in Redis 7.0.
 */
export const srandmember: CommandSpec = {
  name: 'srandmember',
  arity: -2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'set',
  complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
  summary: 'Get one or multiple random members from a set',
  since: '1.0.0',
  run(ctx) {
    if (ctx.argv.length === 3) return withCount(ctx);
    if (ctx.argv.length > 3) return SYNTAX;
    const s = setForRead(ctx.db, ctx.argv[1]!, ctx.now);
    if (s === undefined) return NULL;
    if (!isMembers(s)) return s;
    return bulk(memberBytes(randomMember(s)!));
  },
};
