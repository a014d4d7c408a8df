/**
 * What external test suites (Redis's and Valkey's Tcl tests in external mode) send before their first test: the
 * encoding knobs of CONFIG SET / GET (with their *-ziplist-* aliases), FUNCTION FLUSH / LIST, DEBUG SET-ACTIVE-EXPIRE,
 * SLEEP and OBJECT. The replies are compared with redis-server's (started with the DEBUG command enabled); then
 * DEBUG SET-ACTIVE-EXPIRE 0 is shown to stop the background expiry of our server, and 1 to restart it.
 */
import Redis from 'ioredis';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { startTestServer, type TestServer } from './harness';

const describeRedis = describeWithTool('redis-server');

/** A reply, or the error's text; CONFIG GET's pairs sorted (Redis lists them in its dictionary's order). */
const reply = (argv: string[], p: Promise<unknown>) =>
  p.then(
    (v) => {
      if (argv[0] !== 'CONFIG' || argv[1] !== 'GET' || !Array.isArray(v)) return v;
      const pairs: string[][] = [];
      for (let i = 0; i + 1 < v.length; i += 2) pairs.push([String(v[i]), String(v[i + 1])]);
      return pairs.sort(([x], [y]) => (x! < y! ? -1 : 1));
    },
    (err: Error) => `ERR> ${err.message}`,
  );

describeRedis('the prelude of external test suites', () => {
  let redis: RedisServerHandle;
  let ours: TestServer;
  let theirs: Redis;
  let us: Redis;

  beforeAll(async () => {
    redis = await startRedisServer(['--enable-debug-command', 'yes']);
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

  test('the same replies as redis-server', async () => {
    const commands: string[][] = [
      ['CONFIG', 'GET', '*max-*-entries'],
      ['CONFIG', 'GET', '*ziplist*'],
      ['CONFIG', 'GET', 'list-compress-depth'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '16'],
      ['CONFIG', 'GET', 'hash-max-listpack-entries'],
      ['CONFIG', 'SET', 'zset-max-listpack-value', '1kb'],
      ['CONFIG', 'GET', 'zset-max-ziplist-value'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-3'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '2kb'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '-1'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '-1'],
      ['CONFIG', 'SET', 'list-max-ziplist-size', 'x'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '99999999999'],
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'FLUSH', 'SYNC'],
      ['FUNCTION', 'FLUSH', 'LATER'],
      ['FUNCTION', 'LIST'],
      ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'x*'],
      ['FUNCTION', 'LIST', 'BOGUS'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'SLEEP', '0'],
      ['DEBUG', 'SLEEP', 'soon'],
      ['DEBUG', 'OBJECT', 'no-such-key'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE'],
      ['DEBUG', 'NOPE'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1b'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1kb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'],
      ['MEMORY', 'USAGE', 'no-such-key'],
      ['MEMORY', 'USAGE'],
      ['MEMORY', 'USAGE', 'no-such-key', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'no-such-key', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'no-such-key', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'no-such-key', 'SAMPLES', '0', 'BOGUS'],
      ['MEMORY', 'PURGE'],
      ['MEMORY', 'PURGE', 'x'],
      ['MEMORY', 'NOPE'],
      ['COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k1'],
    ];
    for (const argv of commands) {
      const [name, ...args] = argv as [string, ...string[]];
      expect([argv, await reply(argv, us.call(name, ...args))]).toEqual([
        argv,
        await reply(argv, theirs.call(name, ...args)),
      ]);
    }
    await Promise.all([us.set('k', 'v'), theirs.set('k', 'v')]);
    const describe = async (c: Redis) => String(await c.call('DEBUG', 'OBJECT', 'k')).match(/encoding:(\S+)/)?.[1];
    expect(await describe(us)).toBe(await describe(theirs));
  });

  test('MEMORY USAGE: a positive estimate for every type, growing with the value, as redis-server answers', async () => {
    const fill = async (c: Redis, n: number) => {
      const p = c.pipeline();
      p.del('mu:str', 'mu:int', 'mu:hash', 'mu:zset', 'mu:list', 'mu:set', 'mu:iset');
      p.set('mu:str', 'x'.repeat(n * 10));
      p.set('mu:int', '12345');
      for (let i = 0; i < n; i++) {
        p.hset('mu:hash', `f${i}`, `value-${i}`);
        p.zadd('mu:zset', i, `member-${i}`);
        p.rpush('mu:list', `element-${i}`);
        p.sadd('mu:set', `m${i}`);
        p.sadd('mu:iset', i);
      }
      await p.exec();
    };
    const keys = ['mu:str', 'mu:int', 'mu:hash', 'mu:zset', 'mu:list', 'mu:set', 'mu:iset'];
    const usage = async (c: Redis, samples: string[]) =>
      Promise.all(keys.map(async (k) => Number(await c.call('MEMORY', 'USAGE', k, ...samples))));
    for (const c of [us, theirs]) {
      await fill(c, 10);
      const small = await usage(c, []);
      await fill(c, 1000);
      const big = await usage(c, ['SAMPLES', '0']);
      for (let i = 0; i < keys.length; i++) {
        expect(small[i]).toBeGreaterThan(0);
        // an integer string stays the same size; everything else grows with its contents
        if (keys[i] === 'mu:int') expect(big[i]).toBe(small[i]);
        else expect([keys[i], big[i]! > small[i]! * 5]).toEqual([keys[i], true]);
      }
      // the figures of the big values are within a factor of 4 of redis-server's (a model, not a measurement)
      if (c === us) {
        await fill(theirs, 1000);
        const reference = await usage(theirs, ['SAMPLES', '0']);
        for (let i = 0; i < keys.length; i++) {
          const ratio = big[i]! / reference[i]!;
          expect([keys[i], ratio > 0.25 && ratio < 4]).toEqual([keys[i], true]);
        }
      }
    }
  });

  test('DEBUG SLEEP stops the server for that long', async () => {
    const started = Date.now();
    const other = new Redis({ port: ours.port });
    try {
      const sleep = us.call('DEBUG', 'SLEEP', '0.3');
      await new Promise((r) => setTimeout(r, 20));
      // a second client waits behind the sleeping server
      await other.ping();
      await sleep;
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      other.disconnect();
    }
  });

  test('DEBUG SET-ACTIVE-EXPIRE 0 stops the background expiry; 1 starts it again', async () => {
    await us.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const before = await us.dbsize();
    await us.set('short', '1', 'PX', 30);
    await new Promise((r) => setTimeout(r, 400));
    // not swept: still counted (an access would expire it)
    expect(await us.dbsize()).toBe(before + 1);
    await us.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await new Promise((r) => setTimeout(r, 400));
    expect(await us.dbsize()).toBe(before);
  });
});
