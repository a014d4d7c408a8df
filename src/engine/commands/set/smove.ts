import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int } from '../../reply';
import { memberKey, noteAdded, setWritten } from './access';

/**
 * SMOVE source destination member, checked in Redis's order: a missing source answers 0 before the
 * destination's type is looked at; the same key on both sides is a membership test.
 */
export const smove: CommandSpec = {
  name: 'smove',
  arity: 4,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 2, step: 1 },
  group: 'set',
  complexity: 'O(1)',
  summary: 'Move a member from one set to another',
  since: '1.0.0',
  run({ argv, db, now }) {
    const srcKey = keyOf(argv[1]!);
    const dstKey = keyOf(argv[2]!);
    const src = db.lookup(srcKey, now);
    const dst = db.lookup(dstKey, now);
    if (src === undefined) return int(0);
    if (src.type !== 'set' || (dst !== undefined && dst.type !== 'set')) return WRONGTYPE;
    const m = memberKey(argv[3]!);
    if (src === dst) return int(src.v.has(m) ? 1 : 0);
    if (!src.v.delete(m)) return int(0);
    setWritten(db, argv[1]!, src.v);
    if (dst === undefined) {
      const s = new Set([m]);
      noteAdded(s, [m]);
      db.set(dstKey, { type: 'set', v: s });
    } else {
      if (!dst.v.has(m)) {
        dst.v.add(m);
        db.modified(dstKey);
      }
      noteAdded(dst.v, [m]);
    }
    return int(1);
  },
};
