import type { CommandSpec } from '../../command';
import { keyOf } from '../../keyspace';
import { int } from '../../reply';

export const persist: CommandSpec = {
  name: 'persist',
  arity: 2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Remove the expiration from a key',
  since: '2.2.0',
  run({ db, argv, now }) {
    const key = keyOf(argv[1]!);
    return int(db.has(key, now) && db.persist(key) ? 1 : 0);
  },
};
