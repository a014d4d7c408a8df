import type { CommandSpec } from '../../command';
import { movableKeys, numkeysKeys } from './access';
import { setOperationCommand } from './set-operations';

export const zdiff: CommandSpec = {
  name: 'zdiff',
  arity: -3,
  flags: ['readonly'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'sorted-set',
  complexity:
    'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  summary: 'Returns the difference between multiple sorted sets.',
  since: '6.2.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zdiff', op: 'diff', numkeysIndex: 1, store: false }),
};
