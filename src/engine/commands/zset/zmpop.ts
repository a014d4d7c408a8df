import type { CommandSpec } from '../../command';
import { COUNT_POSITIVE, NUMKEYS_POSITIVE, SYNTAX } from '../../errors';
import type { Reply } from '../../reply';
import { movableKeys, numkeysKeys } from './access';
import { type PopEnd, zmpopFrom } from './pop';
import { longArg } from './range-parsing';

export const zmpop: CommandSpec = {
  name: 'zmpop',
  arity: -4,
  flags: ['write'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'sorted-set',
  complexity:
    'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  summary:
    'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.',
  since: '7.0.0',
  run(ctx) {
    const args = parseZmpop(ctx.argv, 1);
    if ('t' in args) return args;
    return zmpopFrom(ctx, args.keys, args.end, args.count);
  },
};

/** ZMPOP's arguments (numkeys at argv[numkeysAt], keys, MIN|MAX, [COUNT n]) in Redis's order; BZMPOP's too. */
export function parseZmpop(argv: Buffer[], numkeysAt: number): { keys: Buffer[]; end: PopEnd; count: number } | Reply {
  const numkeys = longArg(argv[numkeysAt]!);
  if (numkeys === undefined || numkeys < 1) return NUMKEYS_POSITIVE;
  const whereIndex = numkeysAt + 1 + numkeys;
  if (whereIndex >= argv.length) return SYNTAX;
  const where = argv[whereIndex]!.toString('latin1').toUpperCase();
  if (where !== 'MIN' && where !== 'MAX') return SYNTAX;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (count === -1 && moreArgs > 0 && argv[j]!.toString('latin1').toUpperCase() === 'COUNT') {
      j++;
      const c = longArg(argv[j]!);
      if (c === undefined || c < 1) return COUNT_POSITIVE;
      count = c;
    } else {
      return SYNTAX;
    }
  }
  const end: PopEnd = where === 'MIN' ? 'min' : 'max';
  return { keys: argv.slice(numkeysAt + 1, whereIndex), end, count: count === -1 ? 1 : count };
}
