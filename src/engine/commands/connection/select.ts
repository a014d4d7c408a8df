import { type CommandSpec, NO_KEYS } from '../../command';
import { DB_INDEX_OUT_OF_RANGE } from '../../errors';
import { OK } from '../../reply';
import { intArg, isReply } from '../arguments';

export const select: CommandSpec = {
  name: 'select',
  arity: 2,
  flags: ['loading', 'stale', 'fast'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Changes the selected database.',
  since: '1.0.0',
  run({ engine, argv, session }) {
    const n = intArg(argv[1]!);
    if (isReply(n)) return n;
    if (n < 0 || n >= engine.dbs.length) return DB_INDEX_OUT_OF_RANGE;
    session.db = n;
    return OK;
  },
};
