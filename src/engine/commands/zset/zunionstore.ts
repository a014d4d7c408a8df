import type { CommandSpec } from '../../command';
import { numkeysKeys, oneKey } from './access';
import { setOperationCommand } from './set-operations';

export const zunionstore: CommandSpec = {
  name: 'zunionstore',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  keysOf: numkeysKeys(2),
  group: 'sorted-set',
  complexity:
    'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  summary: 'Stores the union of multiple sorted sets in a key.',
  since: '2.0.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zunionstore', op: 'union', numkeysIndex: 2, store: true }),
};
