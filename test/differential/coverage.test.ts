/**
 * Meta-test for the differential suite: every command issue 2 asks for is registered in the engine and is
 * actually produced by some generator (so a command cannot silently drop out of the comparison).
 */
import { Engine } from '../../src/engine/engine';
import { HASHES } from './hashes';
import { KEYS_STRINGS } from './keys-strings';
import { FIXED_SEEDS, generateSequence } from './runner';
import { ZSETS } from './zsets';

/** The command list of issue 2, verbatim. */
const ISSUE_COMMANDS = {
  keys: 'DEL UNLINK EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST KEYS SCAN RENAME RENAMENX RANDOMKEY DBSIZE FLUSHDB FLUSHALL TOUCH COPY OBJECT',
  strings:
    'GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX INCR INCRBY DECR DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SETRANGE SUBSTR',
  hashes:
    'HSET HSETNX HGET HMGET HMSET HGETALL HDEL HEXISTS HLEN HKEYS HVALS HINCRBY HINCRBYFLOAT HSTRLEN HSCAN HRANDFIELD',
  zsets:
    'ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZRANK ZREVRANK ZPOPMIN ZPOPMAX ZMPOP ZREMRANGEBYLEX ZREMRANGEBYSCORE ZREMRANGEBYRANK ZRANDMEMBER ZSCAN ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD',
};
const ALL = Object.values(ISSUE_COMMANDS)
  .flatMap((s) => s.split(' '))
  .map((c) => c.toLowerCase());

const GROUPS = [KEYS_STRINGS, HASHES, ZSETS];

describe('differential coverage', () => {
  it('every command of the issue is registered in the engine', () => {
    const engine = new Engine();
    expect(ALL.filter((c) => !engine.lookupCommand(c))).toEqual([]);
  });

  it('every command of the issue is produced by a generator, in the default seeds', () => {
    const produced = new Set<string>();
    for (const g of GROUPS)
      for (const seed of FIXED_SEEDS)
        for (const s of generateSequence(g, seed, 300)) produced.add(s.argv[0]!.toString('latin1').toLowerCase());
    expect(ALL.filter((c) => !produced.has(c))).toEqual([]);
  });

  it('OBJECT is generated with its ENCODING subcommand', () => {
    const objects = generateSequence(KEYS_STRINGS, 1000, 2000).filter((s) => s.argv[0]!.toString() === 'OBJECT');
    expect(objects.some((s) => s.argv[1]?.toString().toUpperCase() === 'ENCODING')).toBe(true);
  });
});
