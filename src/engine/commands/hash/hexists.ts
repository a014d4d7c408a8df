import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { fieldKey, hashForRead, isFields, oneKey } from './access';

export const hexists: CommandSpec = {
  name: 'hexists',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary: 'Determines whether a field exists in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return int(0);
    if (!isFields(fields)) return fields;
    return int(fields.has(fieldKey(argv[2]!)) ? 1 : 0);
  },
};
