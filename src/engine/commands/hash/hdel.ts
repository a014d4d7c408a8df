import type { CommandSpec } from '../../command';
import { int } from '../../reply';
import { fieldKey, hashForRead, hashWritten, isFields, oneKey } from './access';

export const hdel: CommandSpec = {
  name: 'hdel',
  arity: -3,
  flags: ['write', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the number of fields to be removed.',
  summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return int(0);
    if (!isFields(fields)) return fields;
    let deleted = 0;
    for (let i = 2; i < argv.length && fields.size > 0; i++) if (fields.delete(fieldKey(argv[i]!))) deleted++;
    if (deleted > 0) hashWritten(db, argv[1]!, fields);
    return int(deleted);
  },
};
