import type { CommandSpec } from '../../command';
import { type Reply, set } from '../../reply';
import { isMembers, memberReplies, oneKey, orderedMembers, setForRead } from './access';

/** A RESP3 set reply (an array in RESP2); an intset's members come in ascending order, as from Redis. */
export const smembers: CommandSpec = {
  name: 'smembers',
  arity: 2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'set',
  complexity: 'O(N) where N is the set cardinality.',
  summary: 'Returns all members of a set.',
  since: '1.0.0',
  run({ argv, db, now }): Reply {
    const s = setForRead(db, argv[1]!, now);
    if (s === undefined) return set([]);
    if (!isMembers(s)) return s;
    return set(memberReplies(orderedMembers(s)));
  },
};
