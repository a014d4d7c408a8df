import type { CommandContext, CommandSpec } from '../../command';
import { keyOf } from '../../keyspace';
import { int, type Reply } from '../../reply';

/** Deletes every named key; a key named twice counts once. Shared by DEL and UNLINK. */
export function deleteKeys({ db, argv, now }: CommandContext): Reply {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.delete(keyOf(argv[i]!), now)) n++;
  return int(n);
}

export const del: CommandSpec = {
  name: 'del',
  arity: -2,
  flags: ['write'],
  keys: { first: 1, last: -1, step: 1 },
  group: 'generic',
  complexity:
    'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
  summary: 'Delete a key',
  since: '1.0.0',
  run: deleteKeys,
};
