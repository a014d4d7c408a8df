import type { CommandSpec } from '../../command';
import { bulk, map, type Reply } from '../../reply';
import { fieldBytes, hashForRead, isFields, oneKey } from './access';

/**
 * Replies with a `map`: RESP3 sends it as a map, and the protocol layer flattens it to the field, value, …
 * array RESP2 clients expect (as Redis's addReplyMapLen does).
 */
export const hgetall: CommandSpec = {
  name: 'hgetall',
  arity: 2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the size of the hash.',
  summary: 'Returns all fields and values in a hash.',
  since: '2.0.0',
  run({ argv, db, now }) {
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return map([]);
    if (!isFields(fields)) return fields;
    const pairs: Array<[Reply, Reply]> = [];
    for (const [f, v] of fields) pairs.push([bulk(fieldBytes(f)), bulk(v)]);
    return map(pairs);
  },
};
