/**
 * DUMP and RESTORE against redis-server 7.0: payloads move both ways (every type, in each of Redis's encodings,
 * and our own) and read back the same, and every error reply is redis-server's.
 */
import Redis from 'ioredis';
import { Crc64 } from '../../src/persistence/rdb/crc64';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { startTestServer, type TestServer } from './harness';

const describeRedis = describeWithTool('redis-server');

/** Fills `c` with one key per type and encoding (small and large variants). */
async function populate(c: Redis): Promise<string[]> {
  const p = c.pipeline();
  p.flushall();
  p.set('s:int', '-1234567');
  p.set('s:embstr', 'hello');
  p.set('s:raw', 'x'.repeat(3000));
  p.set('s:bin', Buffer.from([0, 255, 13, 10, 128]));
  p.hset('h:small', 'a', '1', 'b', 'two', 'c', '-3');
  for (let i = 0; i < 600; i++) p.hset('h:big', `field:${i}`, `v${i * 7}`);
  p.rpush('l:small', 'a', '1', '-77', 'zz');
  for (let i = 0; i < 300; i++) p.rpush('l:big', i % 3 === 0 ? String(i) : `item-${i}-${'y'.repeat(i % 80)}`);
  p.sadd('set:int', 1, -5, 70000, 5000000000);
  for (let i = 0; i < 700; i++) p.sadd('set:big', `m${i}`);
  p.sadd('set:str', 'x', 'y');
  p.zadd('z:small', 1.5, 'a', -2, 'b', 0, 'c');
  for (let i = 0; i < 200; i++) p.zadd('z:big', i / 3, `member-${i}`);
  p.zadd('z:inf', '+inf', 'top', '-inf', 'bottom');
  await p.exec();
  return (await c.keys('*')).sort();
}

/** A key's contents in a comparable form. */
async function contents(c: Redis, key: string): Promise<unknown> {
  const type = await c.type(key);
  switch (type) {
    case 'string':
      return [type, (await c.getBuffer(key))?.toString('hex')];
    case 'hash':
      return [type, Object.entries(await c.hgetall(key)).sort()];
    case 'list':
      return [type, await c.lrange(key, 0, -1)];
    case 'set':
      return [type, (await c.smembers(key)).sort()];
    case 'zset':
      return [type, await c.zrange(key, '0', '-1', 'WITHSCORES')];
    default:
      return [type];
  }
}

/** A reply or the error text. */
const reply = (p: Promise<unknown>) =>
  p.then(
    (v) => (Buffer.isBuffer(v) ? v.toString('hex') : v),
    (err: Error) => `ERR> ${err.message}`,
  );

/** A payload with its CRC recomputed after `edit` changed its body. */
function resealed(payload: Buffer, edit: (body: Buffer) => Buffer): Buffer {
  const body = edit(Buffer.from(payload.subarray(0, payload.length - 10)));
  const withVersion = Buffer.concat([body, payload.subarray(payload.length - 10, payload.length - 8)]);
  return Buffer.concat([withVersion, new Crc64().update(withVersion).bytes()]);
}

describeRedis('DUMP and RESTORE, with redis-server as the other side', () => {
  let redis: RedisServerHandle;
  let ours: TestServer;
  let theirs: Redis;
  let us: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    ours = await startTestServer();
    theirs = new Redis({ port: redis.port, lazyConnect: true });
    us = new Redis({ port: ours.port, lazyConnect: true });
  });

  afterAll(async () => {
    theirs?.disconnect();
    us?.disconnect();
    await ours?.stop();
    await redis?.stop();
  });

  test.each([
    ['redis-server → ours', () => [theirs, us] as const],
    ['ours → redis-server', () => [us, theirs] as const],
  ])('%s: every type and encoding reads back the same', async (_name, sides) => {
    const [from, to] = sides();
    const keys = await populate(from);
    await to.flushall();
    expect(keys.length).toBe(14);
    for (const key of keys) {
      const payload = await from.dumpBuffer(key);
      expect(await to.restore(`copy:${key}`, 0, payload)).toBe('OK');
      expect([key, await contents(to, `copy:${key}`)]).toEqual([key, await contents(from, key)]);
    }
  });

  test('a DUMP payload of a short string is byte for byte redis-server’s', async () => {
    await populate(theirs);
    await populate(us);
    // Redis compresses strings over 20 bytes with LZF, writes integers as integers and small collections as
    // listpacks or intsets; we write them plain (both read either): only short strings are the same bytes
    for (const key of ['s:embstr', 's:bin']) {
      expect([key, (await us.dumpBuffer(key)).toString('hex')]).toEqual([
        key,
        (await theirs.dumpBuffer(key)).toString('hex'),
      ]);
    }
  });

  test('TTLs, REPLACE, ABSTTL and a TTL already past', async () => {
    for (const c of [us, theirs]) {
      await c.flushall();
      await c.set('src', 'value');
      const payload = await c.dumpBuffer('src');
      expect(await c.restore('t1', 5000, payload)).toBe('OK');
      const pttl = await c.pttl('t1');
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      expect(await c.call('RESTORE', 't2', String(Date.now() + 60_000), payload, 'ABSTTL')).toBe('OK');
      expect(await c.ttl('t2')).toBeGreaterThan(50);
      // a past absolute TTL with REPLACE deletes the key and creates nothing
      expect(await c.call('RESTORE', 't2', '1000', payload, 'ABSTTL', 'REPLACE')).toBe('OK');
      expect(await c.exists('t2')).toBe(0);
      await c.set('t3', 'old');
      await c.expire('t3', 100);
      expect(await c.call('RESTORE', 't3', '0', payload, 'REPLACE', 'IDLETIME', '10')).toBe('OK');
      expect([await c.get('t3'), await c.ttl('t3')]).toEqual(['value', -1]);
    }
  });

  test('every error is redis-server’s', async () => {
    await populate(theirs);
    await populate(us);
    const good = await theirs.dumpBuffer('h:small');
    const flipped = Buffer.from(good);
    flipped[3] = flipped[3]! ^ 0xff;
    const futureVersion = Buffer.from(good);
    futureVersion.writeUInt16LE(99, good.length - 10);
    const truncated = resealed(good, (b) => b.subarray(0, b.length - 3));
    const unknownType = resealed(good, (b) => {
      b[0] = 200;
      return b;
    });
    const cases: Array<Array<string | Buffer>> = [
      ['DUMP', 'no-such-key'],
      ['DUMP'],
      ['RESTORE', 'new', '0', good],
      ['RESTORE', 's:int', '0', good],
      ['RESTORE', 'new2', '-1', good],
      ['RESTORE', 'new2', 'x', good],
      ['RESTORE', 'new2', '0', flipped],
      ['RESTORE', 'new2', '0', futureVersion],
      ['RESTORE', 'new2', '0', truncated],
      ['RESTORE', 'new2', '0', unknownType],
      ['RESTORE', 'new2', '0', 'short'],
      ['RESTORE', 'new2', '0', good, 'BOGUS'],
      ['RESTORE', 'new2', '0', good, 'FREQ', '256'],
      ['RESTORE', 'new2', '0', good, 'FREQ', 'x'],
      ['RESTORE', 'new2', '0', good, 'IDLETIME', '-1'],
      ['RESTORE', 'new2', '0', good, 'IDLETIME', '5', 'FREQ', '3'],
      ['RESTORE', 'new2', '0', good, 'IDLETIME'],
      ['RESTORE', 'new2', '0'],
      ['HGETALL', 'new'],
      ['EXISTS', 'new2'],
    ];
    for (const argv of cases) {
      const [name, ...args] = argv as [string, ...Array<string | Buffer>];
      const label = argv.map((a) => (Buffer.isBuffer(a) ? `<${a.length} bytes>` : a)).join(' ');
      expect([label, await reply(us.callBuffer(name, ...args))]).toEqual([
        label,
        await reply(theirs.callBuffer(name, ...args)),
      ]);
    }
  });
});
