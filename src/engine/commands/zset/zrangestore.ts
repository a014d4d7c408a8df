import type { CommandSpec } from '../../command';
import { rangeStoreKeys } from './access';
import { rangeCommand } from './range-query';

export const zrangestore: CommandSpec = {
  name: 'zrangestore',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: rangeStoreKeys,
  writes: { first: 1, last: 1, step: 1 },
  group: 'sorted-set',
  complexity:
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  summary: 'Stores a range of members from sorted set in a key.',
  since: '6.2.0',
  run: (ctx) => rangeCommand(ctx, { sourceIndex: 2, store: true }),
};
