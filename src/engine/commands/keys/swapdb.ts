import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { DB_INDEX_OUT_OF_RANGE } from '../../errors';
import { parseInt64 } from '../../numbers';
import { error, OK } from '../../reply';

const INVALID_FIRST = error('ERR invalid first DB index');
const INVALID_SECOND = error('ERR invalid second DB index');
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/**
 * SWAPDB index1 index2: the two databases exchange their contents at once (O(1)); clients keep their selected
 * database number and so see the other contents. WATCHed keys of either database are invalidated when they exist in
 * either of them (the RESP server's swap listener).
 */
export const swapdb: CommandSpec = {
  name: 'swapdb',
  arity: 3,
  flags: ['write', 'fast'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['keyspace', 'dangerous'],
  complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
  summary: 'Swaps two Redis databases',
  since: '4.0.0',
  run({ engine, argv }) {
    // getIntFromObjectOrReply: a 64-bit integer string within the range of an int
    const a = parseInt64(argv[1]!);
    if (a === undefined || a < INT_MIN || a > INT_MAX) return INVALID_FIRST;
    const b = parseInt64(argv[2]!);
    if (b === undefined || b < INT_MIN || b > INT_MAX) return INVALID_SECOND;
    const n = BigInt(engine.dbs.length);
    if (a < 0n || a >= n || b < 0n || b >= n) return DB_INDEX_OUT_OF_RANGE;
    engine.swapDbs(Number(a), Number(b));
    return OK;
  },
};
