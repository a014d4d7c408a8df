import type { CommandSpec } from '../../command';
import { allKeys } from './access';
import { operationReply } from './operations';

export const sinter: CommandSpec = {
  name: 'sinter',
  arity: -2,
  flags: ['readonly'],
  keys: allKeys,
  group: 'set',
  complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  summary: 'Intersect multiple sets',
  since: '1.0.0',
  run: (ctx) => operationReply(ctx, 'inter'),
};
