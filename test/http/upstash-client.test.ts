/** The real `@upstash/redis` client, unmodified, against the app served on a free loopback port. */
import { Redis } from '@upstash/redis';
import { type AppHarness, appHarness, RO_TOKEN, RW_TOKEN, serveApp, TEST_TOKENS } from './harness';

describe('@upstash/redis against /redis', () => {
  let h: AppHarness;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let redis: Redis;

  beforeAll(async () => {
    h = appHarness({ tokens: TEST_TOKENS });
    server = await serveApp(h);
    redis = new Redis({ url: `${server.url}/redis`, token: RW_TOKEN, retry: false, enableTelemetry: true });
  });
  afterAll(() => server.close());

  it('SET / GET / INCR', async () => {
    expect(await redis.set('greeting', 'héllo wörld ✓')).toBe('OK');
    expect(await redis.get('greeting')).toBe('héllo wörld ✓');
    expect(await redis.set('n', 41)).toBe('OK');
    expect(await redis.incr('n')).toBe(42);
    expect(await redis.get('missing')).toBeNull();
    await redis.set('obj', { a: 1, b: ['x'] });
    expect(await redis.get('obj')).toEqual({ a: 1, b: ['x'] });
    expect(await redis.set('nx', 'v', { nx: true, ex: 100 })).toBe('OK');
    expect(await redis.set('nx', 'w', { nx: true })).toBeNull();
  });

  it('HSET / HGETALL / HGET', async () => {
    expect(await redis.hset('user:1', { name: 'Ada', visits: 3 })).toBe(2);
    expect(await redis.hgetall('user:1')).toEqual({ name: 'Ada', visits: 3 });
    expect(await redis.hget('user:1', 'name')).toBe('Ada');
    expect(await redis.hgetall('user:none')).toBeNull();
  });

  it('ZADD / ZRANGE / ZSCORE', async () => {
    expect(await redis.zadd('z', { score: 2, member: 'b' }, { score: 1, member: 'a' }, { score: 3, member: 'c' })).toBe(
      3,
    );
    expect(await redis.zrange('z', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await redis.zrange('z', 0, 1, { withScores: true })).toEqual(['a', 1, 'b', 2]);
    expect(await redis.zscore('z', 'c')).toBe(3);
  });

  it('pipeline and multi (transaction)', async () => {
    const p = redis.pipeline();
    p.set('p1', 'one');
    p.get('p1');
    p.incrby('pn', 5);
    p.hset('ph', { f: 'v' });
    p.hgetall('ph');
    expect(await p.exec()).toEqual(['OK', 'one', 5, 1, { f: 'v' }]);

    const tx = redis.multi();
    tx.incr('counter');
    tx.incr('counter');
    tx.get('counter');
    expect(await tx.exec()).toEqual([1, 2, 2]);
  });

  it('surfaces Redis errors as UpstashError', async () => {
    await redis.hset('h', { a: 'x' });
    await expect(redis.hincrby('h', 'a', 1)).rejects.toThrow(/hash value is not an integer/);
  });

  it('a read-only token reads but cannot write; a wrong token is refused', async () => {
    const ro = new Redis({ url: `${server.url}/redis`, token: RO_TOKEN, retry: false });
    expect(await ro.get('greeting')).toBe('héllo wörld ✓');
    await expect(ro.set('x', '1')).rejects.toThrow(/NOPERM/);
    const wrong = new Redis({ url: `${server.url}/redis`, token: 'not-a-valid-token-at-all', retry: false });
    await expect(wrong.get('greeting')).rejects.toThrow(/Unauthorized/);
  });
});
