import type { CommandSpec } from '../../command';
import { LIMIT_NEGATIVE, NUMKEYS_POSITIVE, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { error, int } from '../../reply';
import { isOpt } from '../arguments';
import { movableKeys, numkeysKeys } from '../zset/access';
import { intersect, loadSets } from './operations';

const TOO_MANY_KEYS = error("ERR Number of keys can't be greater than number of args");

/** SINTERCARD numkeys key [key ...] [LIMIT limit]: options are checked before any key is looked at. */
export const sintercard: CommandSpec = {
  name: 'sintercard',
  arity: -3,
  flags: ['readonly'],
  keys: movableKeys,
  keysOf: numkeysKeys(1),
  group: 'set',
  complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  summary: 'Intersect multiple sets and return the cardinality of the result',
  since: '7.0.0',
  run(ctx) {
    const { argv } = ctx;
    const numkeys = parseInt64(argv[1]!);
    if (numkeys === undefined || numkeys < 1n) return NUMKEYS_POSITIVE;
    if (numkeys > BigInt(argv.length - 2)) return TOO_MANY_KEYS;
    const n = Number(numkeys);
    let limit = 0n;
    for (let j = 2 + n; j < argv.length; j++) {
      if (isOpt(argv[j], 'LIMIT') && j + 1 < argv.length) {
        const l = parseInt64(argv[++j]!);
        if (l === undefined || l < 0n) return LIMIT_NEGATIVE;
        limit = l;
      } else {
        return SYNTAX;
      }
    }
    const sets = loadSets(ctx, argv.slice(2, 2 + n));
    if (!Array.isArray(sets)) return sets;
    const cap = limit > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(limit);
    return int(intersect(sets, cap).length);
  },
};
