import type { CommandSpec } from '../../command';
import { numkeysKeys, oneKey } from './access';
import { setOperationCommand } from './set-operations';

export const zinterstore: CommandSpec = {
  name: 'zinterstore',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  keysOf: numkeysKeys(2),
  group: 'sorted-set',
  complexity:
    'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  summary: 'Stores the intersect of multiple sorted sets in a key.',
  since: '2.0.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zinterstore', op: 'inter', numkeysIndex: 2, store: true }),
};
