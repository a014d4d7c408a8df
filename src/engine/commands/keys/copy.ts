import type { CommandSpec } from '../../command';
import { DB_INDEX_OUT_OF_RANGE, INT32_RANGE, NOT_INTEGER, SAME_OBJECT, SYNTAX } from '../../errors';
import { keyOf } from '../../keyspace';
import { parseInt64 } from '../../numbers';
import { int } from '../../reply';
import { SortedSet } from '../../structures/sortedset';
import type { Value } from '../../values';
import { isOpt } from '../arguments';
import { copyString } from '../string/value';

/**
 * An independent copy of a value: later writes to either side never show in the other. Member and field bytes
 * are shared (Buffers in containers are never written in place); the containers themselves are new.
 */
export function copyValue(v: Value): Value {
  switch (v.type) {
    case 'string':
      return copyString(v);
    case 'hash':
      return { type: 'hash', v: new Map(v.v) };
    case 'list':
      return { type: 'list', v: v.v.clone() };
    case 'set':
      return { type: 'set', v: new Set(v.v) };
    case 'zset':
      // O(N): entries() streams members in order with their payloads and weights, fromSorted bulk-loads them (an
      // index keys zset stays one whose weights derive from its payloads)
      return { type: 'zset', v: SortedSet.fromSorted(v.v.entries(), v.v.weightOfPayloads, v.v.memberClassifier) };
  }
}

export const copy: CommandSpec = {
  name: 'copy',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 2, step: 1 },
  writes: { first: 2, last: 2, step: 1 },
  group: 'generic',
  complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
  summary: 'Copy a key',
  since: '6.2.0',
  run({ engine, db, argv, now }) {
    let replace = false;
    let dst = db;
    for (let i = 3; i < argv.length; i++) {
      if (isOpt(argv[i], 'REPLACE')) {
        replace = true;
      } else if (isOpt(argv[i], 'DB') && i + 1 < argv.length) {
        const id = parseInt64(argv[++i]!);
        if (id === undefined) return NOT_INTEGER;
        if (id < -2147483648n || id > 2147483647n) return INT32_RANGE;
        const target = id >= 0n ? engine.dbs[Number(id)] : undefined;
        if (target === undefined) return DB_INDEX_OUT_OF_RANGE;
        dst = target;
      } else {
        return SYNTAX;
      }
    }
    const src = keyOf(argv[1]!);
    const to = keyOf(argv[2]!);
    if (dst === db && src === to) return SAME_OBJECT;
    const value = db.lookup(src, now);
    if (value === undefined) return int(0);
    const at = db.getExpire(src);
    if (dst.has(to, now) && !replace) return int(0);
    dst.set(to, copyValue(value));
    if (at !== undefined) dst.setExpire(to, at, now);
    return int(1);
  },
};
