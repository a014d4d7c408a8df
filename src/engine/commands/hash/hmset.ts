import type { CommandSpec } from '../../command';
import { OK } from '../../reply';
import { oneKey } from './access';
import { setFields } from './hset';

export const hmset: CommandSpec = {
  name: 'hmset',
  arity: -4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the number of fields being set.',
  summary: 'Sets the values of multiple fields (deprecated in favour of HSET).',
  since: '2.0.0',
  run(ctx) {
    const n = setFields(ctx, 'hmset');
    return typeof n === 'number' ? OK : n;
  },
};
