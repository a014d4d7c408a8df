import type { CommandSpec } from '../../command';
import { allKeys, oneKey } from './access';
import { operationStore } from './operations';

export const sunionstore: CommandSpec = {
  name: 'sunionstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: allKeys,
  writes: oneKey,
  group: 'set',
  complexity: 'O(N) where N is the total number of elements in all given sets.',
  summary: 'Add multiple sets and store the resulting set in a key',
  since: '1.0.0',
  run: (ctx) => operationStore(ctx, 'union'),
};
