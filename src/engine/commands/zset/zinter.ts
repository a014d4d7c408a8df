import type { CommandSpec } from '../../command';
import { movableKeys, numkeysKeys } from './access';
import { setOperationCommand } from './set-operations';

export const zinter: CommandSpec = {
  name: 'zinter',
  arity: -3,
  flags: ['readonly'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'sorted-set',
  complexity:
    'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  summary: 'Returns the intersect of multiple sorted sets.',
  since: '6.2.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zinter', op: 'inter', numkeysIndex: 1, store: false }),
};
