/**
 * DEBUG RELOAD: the dataset written as RDB and read back into fresh databases that replace the engine's (the RDB
 * round trip `s3-index serve` provides). Over RESP, on our server and on redis-server side by side: after the
 * reload, every key's type, contents, TTL and OBJECT ENCODING answer as before, and as redis-server answers after
 * its own DEBUG RELOAD. Also: the databases really are new objects, an expired key is gone, a WATCHed key's
 * transaction fails, and without the provider the command says it is not available.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { provideDebugReload } from '../../src/engine/commands/server/debug';
import { reloadThroughRdb } from '../../src/persistence/rdb/read';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { startTestServer, type TestServer } from './harness';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Fills a client's databases 0 and 4 with every type, in small and large encodings, some keys with a TTL. */
async function fill(c: Redis): Promise<void> {
  await c.set(b('bin\x00\xff'), b('\x00v\xff'));
  await c.set('int', '12345');
  await c.set('emb', 'short string');
  await c.set('raw', 'r'.repeat(100));
  await c.rpush('list', 'a', '1', '', b('\xff'));
  await c.rpush('list:big', ...Array.from({ length: 600 }, (_, i) => `e${i}`));
  await c.sadd('set:int', '3', '1', '2');
  await c.sadd('set:str', 'a', 'b');
  await c.sadd('set:big', ...Array.from({ length: 600 }, (_, i) => String(i)));
  await c.hset('hash', 'f', 'v', 'g', '1');
  // 600 fields: a hashtable for Redis (512 entries at most in a listpack) and for the engine (which says 128)
  await c.hset('hash:big', ...Array.from({ length: 1200 }, (_, i) => `x${i}`));
  await c.zadd('zset', '1', 'a', '-inf', 'b', '2.5', 'c');
  await c.zadd('zset:big', ...Array.from({ length: 300 }, (_, i) => [String(i / 3), `m${i}`]).flat());
  await c.set('ttl', 'v', 'PX', 500_000);
  await c.hset('ttl:hash', 'f', 'v');
  await c.pexpire('ttl:hash', 800_000);
  await c.select(4);
  await c.set('four', '4', 'PX', 900_000);
  await c.zadd('z4', '1', 'x');
  await c.select(0);
}

/** Every key of databases 0 and 4: type, contents, OBJECT ENCODING, and the TTL rounded to 10 s. */
async function state(c: Redis): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const db of [0, 4]) {
    await c.select(db);
    const keys = ((await c.callBuffer('KEYS', '*')) as Buffer[]).sort(Buffer.compare);
    for (const key of keys) {
      const type = await c.type(key);
      let v: unknown;
      if (type === 'string') v = await c.getBuffer(key);
      else if (type === 'list') v = await c.lrangeBuffer(key, 0, -1);
      else if (type === 'set') v = ((await c.smembersBuffer(key)) as Buffer[]).sort(Buffer.compare);
      else if (type === 'hash') v = Object.entries(await c.hgetall(key)).sort();
      else v = await c.zrange(key, '0', '-1', 'WITHSCORES');
      const pttl = await c.pttl(key);
      out.push([db, key.toString('latin1'), type, v, await c.object('ENCODING', key), Math.round(pttl / 10_000)]);
    }
  }
  await c.select(0);
  return out;
}

describeWithTool('redis-server')('DEBUG RELOAD', () => {
  let ours: TestServer;
  let redis: RedisServerHandle;
  let us: Redis;
  let theirs: Redis;
  let dir: string;

  beforeAll(async () => {
    provideDebugReload(reloadThroughRdb);
    ours = await startTestServer();
    // redis-server's DEBUG RELOAD writes dump.rdb: into a directory of the test's own
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-debug-reload-'));
    redis = await startRedisServer(['--enable-debug-command', 'yes', '--dir', dir]);
    us = new Redis({ port: ours.port, host: '127.0.0.1' });
    theirs = new Redis({ port: redis.port, host: '127.0.0.1' });
  });

  afterAll(async () => {
    us?.disconnect();
    theirs?.disconnect();
    await ours?.stop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every value, type, TTL and encoding, as redis-server does', async () => {
    await fill(us);
    await fill(theirs);
    const before = await state(us);
    expect(before).toEqual(await state(theirs));
    const dbs = [...ours.engine.dbs];
    expect(await us.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await theirs.call('DEBUG', 'RELOAD')).toBe('OK');
    // new databases, same contents
    expect(ours.engine.dbs.every((db, i) => db !== dbs[i] && db.id === i)).toBe(true);
    const after = await state(us);
    expect(after).toEqual(before);
    expect(after).toEqual(await state(theirs));
    expect(before.length).toBe(17);
  });

  it('drops a key whose deadline has passed; keeps the TTLs to the millisecond', async () => {
    await us.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await us.set('soon', 'x', 'PX', 1);
      const at = ours.engine.dbs[0]!.expires.get('ttl');
      await new Promise((r) => setTimeout(r, 20));
      expect(ours.engine.dbs[0]!.data.has('soon')).toBe(true);
      expect(await us.call('DEBUG', 'RELOAD')).toBe('OK');
      expect(ours.engine.dbs[0]!.data.has('soon')).toBe(false);
      expect(ours.engine.dbs[0]!.expires.get('ttl')).toBe(at);
    } finally {
      await us.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  it('a WATCHed key: the transaction after a reload fails (Redis empties the databases first)', async () => {
    const other = new Redis({ port: ours.port, host: '127.0.0.1' });
    try {
      await other.watch('int');
      expect(await us.call('DEBUG', 'RELOAD')).toBe('OK');
      expect(await other.multi().set('int', '1').exec()).toBeNull();
      expect(await us.get('int')).toBe('12345');
    } finally {
      other.disconnect();
    }
  });

  it('takes no options', async () => {
    await expect(us.call('DEBUG', 'RELOAD', 'NOSAVE')).rejects.toThrow(/takes no options/);
  });
});
