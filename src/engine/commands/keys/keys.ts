import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import { globMatch } from '../../glob';
import { bulkArray } from '../../reply';
import { keyBytes } from '../../values';

export const keys: CommandSpec = {
  name: 'keys',
  arity: 2,
  flags: ['readonly'],
  keys: NO_KEYS,
  group: 'generic',
  acl: ['dangerous'],
  complexity:
    'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
  summary: 'Find all keys matching the given pattern',
  since: '1.0.0',
  run({ db, argv, now }) {
    const pattern = argv[1]!;
    const all = pattern.length === 1 && pattern[0] === 0x2a; /* '*' */
    const out: Buffer[] = [];
    for (const k of db.data.keys()) {
      // like Redis, keys past their deadline are skipped but left for lazy/active expiry
      const at = db.expires.size > 0 ? db.getExpire(k) : undefined;
      if (at !== undefined && at <= now) continue;
      const bytes = keyBytes(k);
      if (all || globMatch(pattern, bytes)) out.push(bytes);
    }
    return bulkArray(out);
  },
};
