import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { int } from '../../reply';

export const dbsize: CommandSpec = {
  name: 'dbsize',
  arity: 1,
  flags: ['readonly', 'fast'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['keyspace'],
  complexity: 'O(1)',
  summary: 'Return the number of keys in the selected database',
  since: '1.0.0',
  // like Redis, keys past their deadline count until lazy or active expiry removes them
  run: ({ db }) => int(db.size),
};
