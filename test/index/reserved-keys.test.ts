/**
 * The index's own keys (`s3idx:…`) are written only by the S3IDX commands: generic writes are refused over the
 * engine, RESP and /redis, reads stay allowed, S3IDX.DROP is the way to remove a bucket's index, and a listing
 * answers a clear 409 (never a 500) for index keys holding data the index did not write.
 */
import Redis from 'ioredis';
import { ManualClock } from '../../src/engine/clock';
import type { Reply } from '../../src/engine/reply';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { appHarness, bearer } from '../http/harness';
import { createdEvent } from '../http/index-fixture';
import { startTestServer, type TestServer } from '../server/harness';

const KEYS = 's3idx:{bkt}:keys';
const HIST = 's3idx:{bkt}:hist';
const REGISTRY = 's3idx:buckets';
const ADMIN = 'admin-token-0123456789abcdef';
const RW = 'rw-token-0123456789abcdef';

const isNoperm = (r: Reply): boolean => r.t === 'error' && r.v.startsWith(`NOPERM '`);

function seeded() {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const index = new S3Index(engine);
  index.ingest([createdEvent('bkt', 'a.txt', { size: 10 }), createdEvent('bkt', 'dir/c.txt', { size: 5 })]);
  return { engine, index };
}

/** Every generic write command, aimed at an index key (as the key it writes). */
const WRITES: string[][] = [
  ['set', KEYS, 'x'],
  ['setnx', 's3idx:{bkt}:other', 'x'],
  ['mset', 'plain', '1', KEYS, 'x'],
  ['append', KEYS, 'x'],
  ['del', 'plain', KEYS],
  ['unlink', HIST],
  ['expire', KEYS, '1'],
  ['pexpireat', KEYS, '1'],
  ['persist', KEYS],
  ['rename', KEYS, 'stolen'],
  ['rename', 'plain', KEYS],
  ['renamenx', 'plain', REGISTRY],
  ['copy', 'plain', KEYS, 'REPLACE'],
  ['zadd', KEYS, '0', 'raw'],
  ['zincrby', KEYS, '1', 'a.txt'],
  ['zrem', KEYS, 'a.txt'],
  ['zpopmin', KEYS],
  ['zmpop', '2', 'plainz', KEYS, 'MIN'],
  ['zremrangebylex', KEYS, '-', '+'],
  ['zunionstore', KEYS, '1', 'plainz'],
  ['zrangestore', KEYS, 'plainz', '0', '-1'],
  ['hset', HIST, 'f', 'v'],
  ['hdel', HIST, 'f'],
  ['getdel', REGISTRY],
];

describe('index keys in the engine', () => {
  it.each(WRITES.map((w) => [w.join(' '), w]))('refuses %s and changes nothing', (_name, argv) => {
    const { engine, index } = seeded();
    engine.exec('set', 'plain', 'p');
    engine.exec('zadd', 'plainz', '1', 'm');
    const before = JSON.stringify(index.listObjectsV2('bkt'));
    const calls = engine.callStats().get(argv[0]!)?.calls ?? 0;
    const r = engine.exec(...argv);
    expect(isNoperm(r)).toBe(true);
    expect(r).toEqual({ t: 'error', v: expect.stringContaining('written only by S3IDX commands') });
    expect(JSON.stringify(index.listObjectsV2('bkt'))).toBe(before);
    expect(engine.exec('get', 'plain')).toEqual({ t: 'bulk', v: Buffer.from('p') });
    expect(engine.exec('zcard', 'plainz')).toEqual({ t: 'int', v: 1 });
    // counted like an ACL denial: rejected, not called
    expect(engine.callStats().get(argv[0]!)).toMatchObject({ calls, rejected: 1 });
  });

  it('still lets every command read them, and write elsewhere from them', () => {
    const { engine } = seeded();
    expect(engine.exec('zlexcount', KEYS, '-', '+')).toEqual({ t: 'int', v: 2 });
    expect(engine.exec('zrank', KEYS, 'dir/c.txt')).toEqual({ t: 'int', v: 1 });
    expect(engine.exec('type', KEYS)).toEqual({ t: 'simple', v: 'zset' });
    expect(engine.exec('copy', KEYS, 'mycopy')).toEqual({ t: 'int', v: 1 });
    expect(engine.exec('zcard', 'mycopy')).toEqual({ t: 'int', v: 2 });
    expect(engine.exec('zrangestore', 'mine', KEYS, '0', '0')).toEqual({ t: 'int', v: 1 });
    expect(engine.exec('zunionstore', 'union', '1', KEYS)).toEqual({ t: 'int', v: 2 });
    expect(engine.exec('exists', REGISTRY)).toEqual({ t: 'int', v: 1 });
  });

  it('names the keys of numkeys commands for COMMAND GETKEYS (and so for the check)', () => {
    const { engine } = seeded();
    const keys = (r: Reply) => (r.t === 'array' ? r.v.map((x) => (x.t === 'bulk' ? x.v.toString() : '?')) : r);
    expect(keys(engine.exec('command', 'getkeys', 'zmpop', '2', 'a', 'b', 'MIN'))).toEqual(['a', 'b']);
    expect(keys(engine.exec('command', 'getkeys', 'zunionstore', 'd', '2', 'a', 'b'))).toEqual(['d', 'a', 'b']);
    expect(keys(engine.exec('command', 'getkeys', 'zinter', '1', 'a', 'WEIGHTS', '2'))).toEqual(['a']);
    expect(engine.exec('command', 'getkeys', 'ping')).toEqual({
      t: 'error',
      v: 'ERR The command has no key arguments',
    });
  });

  it('S3IDX.DROP removes the whole index of a bucket and its registry entry, and only that bucket', () => {
    const { engine, index } = seeded();
    index.ingest([createdEvent('other', 'k', { size: 1 })]);
    expect(engine.exec('s3idx.drop', 'bkt')).toEqual({ t: 'int', v: 1 });
    expect(engine.exec('exists', KEYS, HIST, 's3idx:{bkt}:tomb', 's3idx:{bkt}:verify')).toEqual({ t: 'int', v: 0 });
    expect(index.listBuckets()).toEqual(['other']);
    expect(index.listObjectsV2('bkt')).toMatchObject({ ok: false, error: { code: 'NoSuchBucket' } });
    expect(engine.exec('s3idx.drop', 'bkt')).toEqual({ t: 'int', v: 0 });
    expect(engine.exec('s3idx.drop', 'other')).toEqual({ t: 'int', v: 1 });
    expect(engine.exec('exists', REGISTRY)).toEqual({ t: 'int', v: 0 });
    // the bucket can be indexed again afterwards
    index.ingest([createdEvent('bkt', 'new', { size: 3 })]);
    expect(index.stats('bkt')).toEqual({ ok: true, value: { objects: 1, bytes: 3 } });
  });
});

describe('index keys over RESP', () => {
  let server: TestServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startTestServer();
    new S3Index(server.engine).ingest([createdEvent('bkt', 'a.txt', { size: 10 })]);
    client = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('refuses raw writes with NOPERM, inside MULTI too, and keeps serving the connection', async () => {
    await expect(client.set(KEYS, 'x')).rejects.toThrow(/^NOPERM 's3idx:\{bkt\}:keys' belongs to the S3 index/);
    await expect(client.zadd(KEYS, 0, 'raw')).rejects.toThrow(/NOPERM/);
    const exec = await client.multi().set('ok', '1').del(KEYS).get('ok').exec();
    expect(exec?.map(([e, v]) => (e ? String(e.message).slice(0, 6) : v))).toEqual(['OK', 'NOPERM', '1']);
    expect(await client.zrangebylex(KEYS, '-', '+')).toEqual(['a.txt']);
    expect(await client.call('s3idx.stats', 'bkt')).toEqual(['objects', 1, 'bytes', 10]);
  });
});

describe('index keys over HTTP', () => {
  const tokens = [
    { kind: 'rw' as const, token: RW },
    { kind: 'admin' as const, token: ADMIN },
  ];

  it('/redis refuses raw writes even for an admin token; listings stay 200 and unchanged', async () => {
    const h = appHarness({ tokens });
    await h.post('/v1/events', createdEvent('bkt', 'a.txt', { size: 10 }), bearer(RW));
    const list = async () => h.request('/v1/buckets/bkt/objects', { headers: bearer(ADMIN) });
    const before = await (await list()).text();
    for (const cmd of [
      ['SET', KEYS, 'x'],
      ['ZADD', KEYS, '0', 'raw'],
      ['DEL', KEYS],
    ]) {
      const res = await h.post('/redis', cmd, bearer(ADMIN));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/^NOPERM 's3idx:\{bkt\}:keys'/);
    }
    const after = await list();
    expect(after.status).toBe(200);
    expect(await after.text()).toBe(before);
    const s3 = await h.request('/s3/bkt?list-type=2', { headers: bearer(ADMIN) });
    expect(s3.status).toBe(200);
  });

  it('S3IDX.DROP needs an admin token over /redis and empties the listing', async () => {
    const h = appHarness({ tokens });
    await h.post('/v1/events', createdEvent('bkt', 'a.txt', { size: 10 }), bearer(RW));
    const refused = await h.post('/redis', ['S3IDX.DROP', 'bkt'], bearer(RW));
    expect(refused.status).toBe(403);
    expect(await h.post('/redis', ['S3IDX.DROP', 'bkt'], bearer(ADMIN)).then((r) => r.json())).toEqual({ result: 1 });
    const res = await h.request('/v1/buckets/bkt/objects', { headers: bearer(RW) });
    expect(res.status).toBe(404);
  });

  it('answers 409 IndexConflict, not 500, for index keys holding data the index did not write', async () => {
    const h = appHarness({ tokens });
    await h.post('/v1/events', createdEvent('bkt', 'a.txt', { size: 10 }), bearer(RW));
    // as an old snapshot or a foreign import could leave it: bypass the command layer
    h.engine.dbs[0]!.set(KEYS, { type: 'string', v: Buffer.from('x') });
    for (const path of ['/v1/buckets/bkt/objects', '/v1/buckets/bkt/stats', '/v1/buckets/bkt/objects/a.txt']) {
      const res = await h.request(path, { headers: bearer(RW) });
      expect([path, res.status]).toEqual([path, 409]);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('IndexConflict');
      expect(body.error.message).toMatch(/S3IDX\.DROP/);
    }
    const xml = await h.request('/s3/bkt?list-type=2', { headers: bearer(RW) });
    expect(xml.status).toBe(409);
    expect(await xml.text()).toMatch(/<Code>IndexConflict<\/Code>/);
    // reported as the expected client errors they are, not as failures
    expect(h.errors.map((e) => (e as { status?: number }).status)).toEqual([409, 409, 409, 409]);
    // the way out: drop, ingest again
    await h.post('/redis', ['S3IDX.DROP', 'bkt'], bearer(ADMIN));
    await h.post('/v1/events', createdEvent('bkt', 'a.txt', { size: 10 }), bearer(RW));
    expect((await h.request('/v1/buckets/bkt/objects', { headers: bearer(RW) })).status).toBe(200);
  });
});
