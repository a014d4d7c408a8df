import type { CommandContext, CommandSpec } from '../../command';
import { SYNTAX, wrongArity } from '../../errors';
import { array, double, int, NULL, NULL_ARRAY, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from './access';

/**
 * ZRANK / ZREVRANK key member [WITHSCORE]. WITHSCORE is Redis 7.2's addition (7.0 only takes key member): with it
 * the reply is [rank, score], or a null array when the member is absent.
 */
export function rankCommand(ctx: CommandContext, name: string, reverse: boolean): Reply {
  const { argv, db, now } = ctx;
  if (argv.length > 4) return wrongArity(name);
  let withScore = false;
  if (argv.length === 4) {
    if (argv[3]!.toString('latin1').toUpperCase() !== 'WITHSCORE') return SYNTAX;
    withScore = true;
  }
  const missing = withScore ? NULL_ARRAY : NULL;
  const zs = zsetForRead(db, argv[1]!, now);
  if (zs === undefined) return missing;
  if (!isSortedSet(zs)) return zs;
  const rank = zs.rank(argv[2]!);
  if (rank === undefined) return missing;
  const r = int(reverse ? zs.size - 1 - rank : rank);
  return withScore ? array([r, double(zs.score(argv[2]!)!)]) : r;
}

export const zrank: CommandSpec = {
  name: 'zrank',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(log(N))',
  summary: 'Returns the index of a member in a sorted set ordered by ascending scores.',
  since: '2.0.0',
  run: (ctx) => rankCommand(ctx, 'zrank', false),
};
