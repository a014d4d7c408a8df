import type { CommandSpec } from '../../command';
import { array, bulkOrNull, NULL } from '../../reply';
import { fieldKey, hashForRead, isFields, oneKey } from './access';

export const hmget: CommandSpec = {
  name: 'hmget',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the number of fields being requested.',
  summary: 'Returns the values of all fields in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields !== undefined && !isFields(fields)) return fields;
    const out = [];
    for (let i = 2; i < argv.length; i++) out.push(fields ? bulkOrNull(fields.get(fieldKey(argv[i]!))) : NULL);
    return array(out);
  },
};
