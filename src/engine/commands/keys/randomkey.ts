import type { CommandSpec } from '../../command';
import { NO_KEYS } from '../../command';
import type { Keyspace } from '../../keyspace';
import { bulk, NULL } from '../../reply';
import { keyBytes } from '../../values';

/** Attempts at a uniformly random key before settling for the first live one (all sampled keys had expired). */
const RANDOM_TRIES = 100;

/** The key at position `i` of the keyspace's iteration order (a JS Map has no random access: O(i)). */
function keyAt(db: Keyspace, i: number): string | undefined {
  for (const k of db.data.keys()) if (i-- === 0) return k;
  return undefined;
}

export const randomkey: CommandSpec = {
  name: 'randomkey',
  arity: 1,
  flags: ['readonly'],
  keys: NO_KEYS,
  group: 'generic',
  complexity: 'O(N) here, where N is the number of keys (Redis: O(1)); the keyspace is a Map without random access.',
  summary: 'Return a random key from the keyspace',
  since: '1.0.0',
  run({ db, now }) {
    for (let tries = 0; tries < RANDOM_TRIES && db.size > 0; tries++) {
      const k = keyAt(db, Math.floor(Math.random() * db.size));
      // a sampled key past its deadline is expired now, as Redis does, and another one drawn
      if (k !== undefined && db.has(k, now)) return bulk(keyBytes(k));
    }
    for (const k of db.data.keys()) if (db.has(k, now)) return bulk(keyBytes(k));
    return NULL;
  },
};
