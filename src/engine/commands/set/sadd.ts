import type { CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int } from '../../reply';
import { type Members, memberKey, noteAdded, oneKey } from './access';

export const sadd: CommandSpec = {
  name: 'sadd',
  arity: -3,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'set',
  complexity:
    'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  summary: 'Adds one or more members to a set. Creates the key if it does not exist.',
  since: '1.0.0',
  run({ argv, db, now }) {
    const k = keyOf(argv[1]!);
    const v = db.lookup(k, now);
    if (v !== undefined && v.type !== 'set') return WRONGTYPE;
    let s: Members;
    if (v === undefined) {
      s = new Set();
      db.set(k, { type: 'set', v: s });
    } else {
      s = v.v;
    }
    const members = argv.slice(2).map(memberKey);
    let added = 0;
    for (const m of members) {
      if (!s.has(m)) {
        s.add(m);
        added++;
      }
    }
    noteAdded(s, members);
    if (added > 0) db.modified(k);
    return int(added);
  },
};
