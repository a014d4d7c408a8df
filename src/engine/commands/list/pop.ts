import type { CommandContext } from '../../command';
import { VALUE_OUT_OF_RANGE_POSITIVE, wrongArity } from '../../errors';
import { bulk, bulkArray, EMPTY_ARRAY, NULL, NULL_ARRAY, type Reply } from '../../reply';
import { isList, listAt, listWritten, popFrom, type Side } from './access';
import { positiveCount } from './arguments';

/** LPOP/RPOP key [count]: one entry (or nil), or with a count an array of up to count entries (or a null array). */
export function popCommand({ argv, db, now }: CommandContext, side: Side): Reply {
  if (argv.length > 3) return wrongArity(side === 'left' ? 'lpop' : 'rpop');
  const hasCount = argv.length === 3;
  let count = 1;
  if (hasCount) {
    const c = positiveCount(argv[2]!, VALUE_OUT_OF_RANGE_POSITIVE, VALUE_OUT_OF_RANGE_POSITIVE);
    if (typeof c !== 'number') return c;
    count = c;
  }
  const list = listAt(db, argv[1]!, now);
  if (list === undefined) return hasCount ? NULL_ARRAY : NULL;
  if (!isList(list)) return list;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  const items = popFrom(list, side, count);
  listWritten(db, argv[1]!, list);
  return hasCount ? bulkArray(items) : bulk(items[0]!);
}
