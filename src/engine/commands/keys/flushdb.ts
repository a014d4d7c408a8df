import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { SYNTAX } from '../../errors';
import { OK, type Reply } from '../../reply';
import { isOpt } from '../arguments';

/**
 * FLUSHDB/FLUSHALL take an optional ASYNC or SYNC. Both flush synchronously here: dropping the Maps is O(1) on the
 * command path and the garbage collector reclaims the values later, which is what ASYNC asks for anyway.
 */
export function flushModeError(argv: Buffer[]): Reply | undefined {
  if (argv.length > 2) return SYNTAX;
  if (argv.length === 2 && !isOpt(argv[1], 'ASYNC') && !isOpt(argv[1], 'SYNC')) return SYNTAX;
  return undefined;
}

export const flushdb: CommandSpec = {
  name: 'flushdb',
  arity: -1,
  flags: ['write'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['keyspace', 'dangerous'],
  complexity: 'O(N) where N is the number of keys in the selected database',
  summary: 'Remove all keys from the current database',
  since: '1.0.0',
  run({ db, argv }) {
    const err = flushModeError(argv);
    if (err) return err;
    db.clear();
    return OK;
  },
};
