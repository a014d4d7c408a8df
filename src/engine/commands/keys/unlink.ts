import type { CommandSpec } from '../../command';
import { deleteKeys } from './del';

/** Same as DEL here: values are reclaimed by the garbage collector, never on the command path. */
export const unlink: CommandSpec = {
  name: 'unlink',
  arity: -2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  group: 'generic',
  complexity:
    'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
  summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
  since: '4.0.0',
  run: deleteKeys,
};
