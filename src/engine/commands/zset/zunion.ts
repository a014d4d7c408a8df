import type { CommandSpec } from '../../command';
import { movableKeys, numkeysKeys } from './access';
import { setOperationCommand } from './set-operations';

export const zunion: CommandSpec = {
  name: 'zunion',
  arity: -3,
  flags: ['readonly'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'sorted-set',
  complexity:
    'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  summary: 'Returns the union of multiple sorted sets.',
  since: '6.2.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zunion', op: 'union', numkeysIndex: 1, store: false }),
};
