import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { OK } from '../../reply';
import { flushModeError } from './flushdb';

export const flushall: CommandSpec = {
  name: 'flushall',
  arity: -1,
  flags: ['write'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['keyspace', 'dangerous'],
  complexity: 'O(N) where N is the total number of keys in all databases',
  summary: 'Remove all keys from all databases',
  since: '1.0.0',
  run({ engine, argv }) {
    const err = flushModeError(argv);
    if (err) return err;
    for (const db of engine.dbs) db.clear();
    return OK;
  },
};
