import type { CommandSpec } from '../../command';
import { allKeys, oneKey } from './access';
import { operationStore } from './operations';

export const sinterstore: CommandSpec = {
  name: 'sinterstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: allKeys,
  writes: oneKey,
  group: 'set',
  complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  summary: 'Intersect multiple sets and store the resulting set in a key',
  since: '1.0.0',
  run: (ctx) => operationStore(ctx, 'inter'),
};
