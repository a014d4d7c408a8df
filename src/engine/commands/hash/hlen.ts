import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { hashForRead, isFields, oneKey } from './access';

export const hlen: CommandSpec = {
  name: 'hlen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary: 'Returns the number of fields in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return int(0);
    if (!isFields(fields)) return fields;
    return int(fields.size);
  },
};
