import type { CommandSpec } from '../../command';
import { bulkOrNull, NULL } from '../../reply';
import { fieldKey, hashForRead, isFields, oneKey } from './access';

export const hget: CommandSpec = {
  name: 'hget',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary: 'Returns the value of a field in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return NULL;
    if (!isFields(fields)) return fields;
    return bulkOrNull(fields.get(fieldKey(argv[2]!)));
  },
};
