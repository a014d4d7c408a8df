import type { CommandSpec } from '../../command';
import { NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulk, EMPTY_ARRAY, error, NULL, type Reply } from '../../reply';
import { isOpt } from '../arguments';
import { fieldBytes, hashForRead, isFields, oneKey } from './access';

const LONG_MAX = 9223372036854775807n;
const COUNT_RANGE = error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
const OUT_OF_RANGE = error('ERR value is out of range');

/**
 * Without a count: one random field (or nil). With a count ≥ 0: that many distinct fields (the whole hash, in
 * hash order, when count ≥ its size); with a negative count: |count| independent picks, repeats allowed.
 * WITHVALUES interleaves values in RESP2 and nests [field, value] pairs in RESP3, as Redis does.
 */
export const hrandfield: CommandSpec = {
  name: 'hrandfield',
  arity: -2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(N) where N is the number of fields returned',
  summary: 'Returns one or more random fields from a hash.',
  since: '6.2.0',
  run({ argv, db, now, session }) {
    if (argv.length === 2) {
      const fields = hashForRead(db, argv[1]!, now);
      if (fields === undefined) return NULL;
      if (!isFields(fields)) return fields;
      const i = Math.floor(Math.random() * fields.size);
      let n = 0;
      for (const f of fields.keys()) if (n++ === i) return bulk(fieldBytes(f));
      return NULL;
    }
    const l = parseInt64(argv[2]!);
    if (l === undefined) return NOT_INTEGER;
    if (l < -LONG_MAX) return COUNT_RANGE;
    if (argv.length > 4 || (argv.length === 4 && !isOpt(argv[3], 'WITHVALUES'))) return SYNTAX;
    const withValues = argv.length === 4;
    if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) return OUT_OF_RANGE;
    const fields = hashForRead(db, argv[1]!, now);
    if (fields === undefined) return EMPTY_ARRAY;
    if (!isFields(fields)) return fields;
    if (l === 0n) return EMPTY_ARRAY;
    const entries = [...fields];
    const out: Reply[] = [];
    const emit = ([f, v]: [string, Buffer]): void => {
      const fr = bulk(fieldBytes(f));
      if (!withValues) out.push(fr);
      else if (session.resp === 3) out.push(array([fr, bulk(v)]));
      else out.push(fr, bulk(v));
    };
    if (l < 0n) {
      // Picks with repetition; a count beyond what fits in memory would fail in Redis too.
      const count = Number(-l);
      for (let i = 0; i < count; i++) emit(entries[Math.floor(Math.random() * entries.length)]!);
    } else if (l >= BigInt(entries.length)) {
      entries.forEach(emit);
    } else {
      const count = Number(l);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (entries.length - i));
        [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        emit(entries[i]!);
      }
    }
    return array(out);
  },
};
