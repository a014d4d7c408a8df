import type { CommandSpec } from '../../command';
import { array, bulk, EMPTY_ARRAY } from '../../reply';
import { fieldBytes, hashForRead, isFields, oneKey } from './access';

export const hkeys: CommandSpec = {
  name: 'hkeys',
  arity: 2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the size of the hash.',
  summary: 'Returns all fields in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return EMPTY_ARRAY;
    if (!isFields(fields)) return fields;
    return array(Array.from(fields.keys(), (f) => bulk(fieldBytes(f))));
  },
};
