import type { CommandSpec } from '../../command';
import { bulkArray, EMPTY_ARRAY } from '../../reply';
import { hashForRead, isFields, oneKey } from './access';

export const hvals: CommandSpec = {
  name: 'hvals',
  arity: 2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the size of the hash.',
  summary: 'Returns all values in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return EMPTY_ARRAY;
    if (!isFields(fields)) return fields;
    return bulkArray([...fields.values()]);
  },
};
