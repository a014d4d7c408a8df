/**
 * RDB export (rdb/write.ts): the CRC64 check value, and an engine holding every type (binary keys and values, empty
 * and long strings, large collections, extreme scores, two databases, TTLs) written as RDB and loaded by a real
 * redis-server, which must then answer every key as the engine does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Engine } from '../../../src/engine/engine';
import { crc64 } from '../../../src/persistence/rdb/crc64';
import { writeRdb } from '../../../src/persistence/rdb/write';
import { contents, exec, ioToBulk, toBulk } from '../../helpers/keyspace-contents';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../../helpers/redis-server';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Compares every key of `engine`'s databases with what the redis-server at `port` holds. */
async function compareWithRedis(engine: Engine, port: number): Promise<number> {
  let compared = 0;
  for (const [dbIndex, db] of engine.dbs.entries()) {
    const client = new Redis({ port, host: '127.0.0.1', db: dbIndex, lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      const now = Date.now();
      const live = [...db.data.keys()].filter((k) => {
        const at = db.expires.get(k);
        return at === undefined || at > now;
      });
      expect(await client.dbsize()).toBe(live.length);
      for (const k of live) {
        const key = b(k);
        const type = db.data.get(k)!.type;
        expect([k, await client.type(key)]).toEqual([k, type]);
        const ours = await contents(type, key, async (...a) => toBulk(exec(engine, dbIndex, ...a)));
        const theirs = await contents(type, key, async (...a) =>
          ioToBulk(await client.callBuffer(String(a[0]), ...a.slice(1))),
        );
        expect(theirs).toEqual(ours);
        const at = db.expires.get(k);
        const pttl = await client.pttl(key);
        if (at === undefined) expect(pttl).toBe(-1);
        else expect(Math.abs(pttl - (at - Date.now()))).toBeLessThan(5000);
        compared++;
      }
    } finally {
      client.disconnect();
    }
  }
  return compared;
}

function fillEngine(engine: Engine): void {
  const big = Buffer.alloc(40_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 131) & 0xff;
  // strings
  exec(engine, 0, 'SET', b('bin\x00key\xff'), b('\x00\xff\x01value\x00'));
  exec(engine, 0, 'SET', 'empty', '');
  exec(engine, 0, 'SET', '', 'the empty key');
  exec(engine, 0, 'SET', 'long', big);
  exec(engine, 0, 'SET', 'long17k', Buffer.alloc(17 * 1024, 0x61));
  exec(engine, 0, 'SET', 'int', '12345');
  exec(engine, 0, 'SET', 'neg', '-9223372036854775808');
  exec(engine, 0, 'SET', 'len63', 'x'.repeat(63));
  exec(engine, 0, 'SET', 'len64', 'x'.repeat(64));
  exec(engine, 0, 'SET', 'len16383', 'y'.repeat(16383));
  exec(engine, 0, 'SET', 'len16384', 'y'.repeat(16384));
  // lists
  exec(engine, 0, 'RPUSH', 'list:small', 'a', '', b('\x00\xff'), '42');
  const items: Buffer[] = [];
  for (let i = 0; i < 1000; i++) items.push(b(`item-${i}-\x00\xff`));
  exec(engine, 0, 'RPUSH', 'list:big', ...items, big, '', '7');
  // sets
  exec(engine, 0, 'SADD', 'set:ints', '1', '2', '3', '-5', '100000');
  exec(engine, 0, 'SADD', 'set:mixed', '1', 'two', '', b('\x00\xff'));
  const members: Buffer[] = [];
  for (let i = 0; i < 1000; i++) members.push(b(`m${i}\xff`));
  exec(engine, 0, 'SADD', 'set:big', ...members);
  exec(engine, 0, 'SADD', 'set:bigints', ...Array.from({ length: 1000 }, (_, i) => String(i * 7)));
  // hashes
  exec(engine, 0, 'HSET', 'hash:small', 'f', 'v', '', 'empty field', b('\x00'), b('\xff'), 'e', '');
  const fv: Buffer[] = [];
  for (let i = 0; i < 1000; i++) fv.push(b(`field${i}\x00`), b(`value${i}\xff`));
  exec(engine, 0, 'HSET', 'hash:big', ...fv);
  exec(engine, 0, 'HSET', 'hash:longvalue', 'f', big);
  // sorted sets
  exec(
    engine,
    0,
    'ZADD',
    'zset:scores',
    '-inf',
    'neginf',
    '+inf',
    'posinf',
    '0',
    'zero',
    '-0',
    'negzero',
    '1e-300',
    'tiny',
    '1.5',
    'frac',
    '-2.25',
    'negfrac',
    '0.1',
    'pointone',
    '1e300',
    'huge',
    '3',
    b('\x00\xff'),
    '4',
    '',
  );
  const zm: (string | Buffer)[] = [];
  for (let i = 0; i < 1000; i++) zm.push(String(i / 7), b(`z${i}\x00`));
  exec(engine, 0, 'ZADD', 'zset:big', ...zm);
  exec(engine, 0, 'ZADD', 'zset:same', '1', 'a', '1', 'b', '1', 'c');
  exec(engine, 0, 'ZADD', 'zset:long', '2', big);
  // TTLs
  exec(engine, 0, 'SET', 'ttl:string', 'v', 'PX', '100000');
  exec(engine, 0, 'RPUSH', 'ttl:list', 'a', 'b');
  exec(engine, 0, 'PEXPIRE', 'ttl:list', '3600000');
  exec(engine, 0, 'SET', 'ttl:far', 'v');
  exec(engine, 0, 'PEXPIREAT', 'ttl:far', String(Date.now() + 10 * 365 * 86400_000));
  // a key whose deadline has passed but that the engine has not expired yet: left out
  exec(engine, 0, 'SET', 'ttl:past', 'gone');
  engine.dbs[0]!.expires.set('ttl:past', Date.now() - 1000);
  // another database
  exec(engine, 3, 'SET', 'db3:string', b('\xff\x00'));
  exec(engine, 3, 'HSET', 'db3:hash', 'a', '1');
  exec(engine, 3, 'ZADD', 'db3:zset', '-1', 'm');
  exec(engine, 3, 'SADD', 'db3:set', 'x');
  exec(engine, 3, 'RPUSH', 'db3:list', 'x', 'y');
  exec(engine, 3, 'SET', 'db3:ttl', 'v', 'PX', '500000');
}

describe('crc64 (Redis crc64.c, Jones)', () => {
  it('has the check value of crc64.c', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(Buffer.alloc(0))).toBe(0n);
  });
});

describeWithTool('redis-server')('writeRdb loaded by redis-server', () => {
  let server: RedisServerHandle | undefined;
  let dir: string;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every type, binary-safe, large, in two databases with TTLs', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-rdb-'));
    const engine = new Engine();
    fillEngine(engine);
    const chunks: Buffer[] = [];
    const res = await writeRdb(engine.dbs, (c) => {
      chunks.push(c);
    });
    const file = Buffer.concat(chunks);
    expect(res.bytes).toBe(file.length);
    expect(file.subarray(0, 9).toString('latin1')).toBe('REDIS0010');
    // the trailer is the CRC64 of everything before it, little-endian
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(file.subarray(0, file.length - 8)));
    // chunks stay bounded (one chunk, or one large string)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(200_000);
    const keys = engine.dbs.reduce((n, d) => n + d.data.size, 0);
    expect(res.keys).toBe(keys - 1); // ttl:past is left out
    fs.writeFileSync(path.join(dir, 'dump.rdb'), file);
    server = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    expect(await compareWithRedis(engine, server.port)).toBe(keys - 1);
  });

  it('an empty engine', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-rdb-'));
    const chunks: Buffer[] = [];
    await writeRdb(new Engine().dbs, (c) => {
      chunks.push(c);
    });
    fs.writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat(chunks));
    server = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    const client = new Redis({ port: server.port, host: '127.0.0.1' });
    try {
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
