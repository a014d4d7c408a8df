import type { CommandSpec } from '../../command';
import { allKeys, oneKey } from './access';
import { operationStore } from './operations';

export const sdiffstore: CommandSpec = {
  name: 'sdiffstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: allKeys,
  writes: oneKey,
  group: 'set',
  complexity: 'O(N) where N is the total number of elements in all given sets.',
  summary: 'Subtract multiple sets and store the resulting set in a key',
  since: '1.0.0',
  run: (ctx) => operationStore(ctx, 'diff'),
};
