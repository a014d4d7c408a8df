import type { CommandSpec } from '../../command';
import { numkeysKeys, oneKey } from './access';
import { setOperationCommand } from './set-operations';

export const zdiffstore: CommandSpec = {
  name: 'zdiffstore',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  keysOf: numkeysKeys(2),
  group: 'sorted-set',
  complexity:
    'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  summary: 'Stores the difference of multiple sorted sets in a key.',
  since: '6.2.0',
  run: (ctx) => setOperationCommand(ctx, { name: 'zdiffstore', op: 'diff', numkeysIndex: 2, store: true }),
};
