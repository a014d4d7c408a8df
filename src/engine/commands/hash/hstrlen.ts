import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { fieldKey, hashForRead, isFields, oneKey } from './access';

export const hstrlen: CommandSpec = {
  name: 'hstrlen',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary: 'Returns the length of the value of a field.',
  since: '3.2.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return int(0);
    if (!isFields(fields)) return fields;
    return int(fields.get(fieldKey(argv[2]!))?.length ?? 0);
  },
};
