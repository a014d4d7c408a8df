/**
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checked in Redis's order (options, BUSYKEY, TTL,
 * payload). The payload is DUMP's: the engine's value codec reads it. IDLETIME and FREQ are checked and dropped (no
 * LRU clock or LFU counter is kept). A TTL already past deletes the key when REPLACE was given and creates nothing.
 */
import type { CommandSpec } from '../../command';
import { NOT_INTEGER, SYNTAX } from '../../errors';
import { keyOf } from '../../keyspace';
import { parseInt64 } from '../../numbers';
import { error, OK, type Reply } from '../../reply';
import { isOpt } from '../arguments';
import { NO_CODEC } from './dump';

const BUSYKEY = error('BUSYKEY Target key name already exists.');

export const restore: CommandSpec = {
  name: 'restore',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  acl: ['keyspace', 'dangerous'],
  group: 'generic',
  complexity:
    'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size.',
  summary: 'Create a key using the provided serialized value, previously obtained using DUMP.',
  since: '2.6.0',
  run({ engine, db, argv, now }): Reply {
    const codec = engine.valueCodec;
    if (codec === undefined) return NO_CODEC;
    let replace = false;
    let absTtl = false;
    let idle = false;
    let freq = false;
    for (let i = 4; i < argv.length; i++) {
      const more = i + 1 < argv.length;
      if (isOpt(argv[i], 'REPLACE')) replace = true;
      else if (isOpt(argv[i], 'ABSTTL')) absTtl = true;
      else if (isOpt(argv[i], 'IDLETIME') && more && !freq) {
        const n = parseInt64(argv[++i]!);
        if (n === undefined) return NOT_INTEGER;
        if (n < 0n) return error('ERR Invalid IDLETIME value, must be >= 0');
        idle = true;
      } else if (isOpt(argv[i], 'FREQ') && more && !idle) {
        const n = parseInt64(argv[++i]!);
        if (n === undefined) return NOT_INTEGER;
        if (n < 0n || n > 255n) return error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        freq = true;
      } else return SYNTAX;
    }
    const key = keyOf(argv[1]!);
    if (!replace && db.has(key, now)) return BUSYKEY;
    const ttl = parseInt64(argv[2]!);
    if (ttl === undefined) return NOT_INTEGER;
    if (ttl < 0n) return error('ERR Invalid TTL value, must be >= 0');
    const value = codec.restore(argv[3]!);
    if ('t' in value) return value;
    if (replace) db.delete(key, now);
    const at = ttl === 0n ? undefined : absTtl ? Number(ttl) : Number(ttl) + now;
    if (at !== undefined && at <= now) return OK;
    db.set(key, value);
    if (at !== undefined) db.setExpire(key, at, now);
    return OK;
  },
};
