import type { CommandSpec } from '../../command';
import { movableKeys, numkeysKeys } from './access';
import { setOperationCommand } from './set-operations';

export const zintercard: CommandSpec = {
  name: 'zintercard',
  arity: -3,
  flags: ['readonly'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'sorted-set',
  complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  summary: 'Returns the number of members of the intersect of multiple sorted sets.',
  since: '7.0.0',
  run: (ctx) =>
    setOperationCommand(ctx, { name: 'zintercard', op: 'inter', numkeysIndex: 1, store: false, cardinalityOnly: true }),
};
