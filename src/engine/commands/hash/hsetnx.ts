import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { fieldKey, hashForWrite, hashWritten, oneKey } from './access';

export const hsetnx: CommandSpec = {
  name: 'hsetnx',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1)',
  summary: 'Sets the value of a field in a hash only when the field does not exist.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForWrite(db, argv[1]!, now);
    if (!(fields instanceof Map)) return fields;
    const f = fieldKey(argv[2]!);
    if (fields.has(f)) return int(0);
    fields.set(f, argv[3]!);
    hashWritten(db, argv[1]!, fields);
    return int(1);
  },
};
