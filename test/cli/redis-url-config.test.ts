/** The forms of --redis-url (src/config.ts), and what a log may show of them. */
import { describeRedisTarget, loadServeConfig, parseRedisUrl } from '../../src/config';

test('one server, TLS, a user and a password (percent-decoded), a database', () => {
  expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({
    cluster: false,
    tls: false,
    nodes: [{ host: '127.0.0.1', port: 6379 }],
    username: undefined,
    password: undefined,
    db: 0,
  });
  const t = parseRedisUrl('rediss://app:p%40ss@cache.example.com:6380/2');
  expect(t).toMatchObject({
    tls: true,
    username: 'app',
    password: 'p@ss',
    db: 2,
    nodes: [{ host: 'cache.example.com', port: 6380 }],
  });
  expect(describeRedisTarget(t)).toBe('rediss://app@cache.example.com:6380/2');
  expect(describeRedisTarget(parseRedisUrl('redis://:secret@h'))).toBe('redis://(password)@h:6379');
  expect(parseRedisUrl('redis://[::1]:7000').nodes).toEqual([{ host: '::1', port: 7000 }]);
});

test('a cluster: seed nodes, or --redis-cluster', () => {
  const c = parseRedisUrl('redis+cluster://a:7000,b:7001,c');
  expect(c.cluster).toBe(true);
  expect(c.nodes).toEqual([
    { host: 'a', port: 7000 },
    { host: 'b', port: 7001 },
    { host: 'c', port: 6379 },
  ]);
  expect(parseRedisUrl('rediss://x:7000', true)).toMatchObject({ cluster: true, tls: true });
  expect(describeRedisTarget(c)).toBe('redis+cluster://a:7000,b:7001,c:6379');
});

test('refused: other schemes, several hosts without cluster, a cluster database, bad ports; the password never shown', () => {
  expect(() => parseRedisUrl('http://h:1')).toThrow(/must look like/);
  expect(() => parseRedisUrl('redis://a:1,b:2')).toThrow(/redis\+cluster/);
  expect(() => parseRedisUrl('redis+cluster://a:1/3')).toThrow(/database 0/);
  expect(() => parseRedisUrl('redis://h:99999')).toThrow(/host:port/);
  expect(() => loadServeConfig(['--redis-url', 'memcached://u:topsecret@h'])).toThrow(/--redis-url must look like/);
  let message = '';
  try {
    loadServeConfig([], { S3_INDEX_REDIS_URL: 'redis://u:topsecret@h:1,h:2' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/names several hosts/);
  expect(message).not.toContain('topsecret');
  expect(loadServeConfig(['--redis-url', 'redis://h:1', '--redis-cluster', 'true'])).toMatchObject({
    redisUrl: 'redis://h:1',
    redisCluster: true,
  });
  expect(() => loadServeConfig(['--redis-url', 'redis://h:1', '--store', 's3://my-bucket/index'])).toThrow(
    /--store would hold nothing/,
  );
});
