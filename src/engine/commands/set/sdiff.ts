import type { CommandSpec } from '../../command';
import { allKeys } from './access';
import { operationReply } from './operations';

export const sdiff: CommandSpec = {
  name: 'sdiff',
  arity: -2,
  flags: ['readonly'],
  keys: allKeys,
  group: 'set',
  complexity: 'O(N) where N is the total number of elements in all given sets.',
  summary: 'Subtract multiple sets',
  since: '1.0.0',
  run: (ctx) => operationReply(ctx, 'diff'),
};
