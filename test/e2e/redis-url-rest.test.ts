/**
 * `serve --redis-url`, the cache side and the CLI: /redis runs its commands on the external redis-server (readable
 * there with any client) under the same token levels, the S3IDX.* commands on /redis answer from the index kept in
 * that server, no RESP port is opened, and `s3-index backfill` / `reconcile` (which talk S3IDX.* and TIME over
 * /redis) fill and check the index in Redis exactly as they do the bundled engine's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import Redis from 'ioredis';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { startS3rver, type TestS3 } from '../helpers/s3rver';
import { buildCli, killServeChildren, type ServeChild, startServeChild } from '../helpers/serve-child';
import { created } from '../index/harness';

const describeRedis = describeWithTool('redis-server');
const root = path.join(__dirname, '../..');
const TOKENS = 'admin:admin-token-123456,rw:rw-token-1234567,ro:ro-token-1234567';

describeRedis('serve --redis-url: /redis, S3IDX.* and the CLI on the external server', () => {
  let server: RedisServerHandle;
  let redis: Redis;
  let serve: ServeChild;
  let s3: TestS3;

  beforeAll(async () => {
    buildCli();
    server = await startRedisServer();
    redis = new Redis({ port: server.port, host: '127.0.0.1' });
    s3 = await startS3rver(['crawled'], 'redis-url-cli');
    serve = await startServeChild({
      args: ['--redis-url', `redis://127.0.0.1:${server.port}`],
      env: { S3_INDEX_API_TOKENS: TOKENS },
    });
  }, 90_000);

  afterAll(async () => {
    await killServeChildren();
    redis?.disconnect();
    await s3?.close();
    await server?.stop();
  });

  const rest = async (token: string, p: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${serve.httpPort}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  test('no RESP port: the banner says the cache is the Redis server', () => {
    expect(serve.stderr()).toMatch(/no RESP port: the cache is the Redis server/);
    expect(serve.stderr()).not.toMatch(/RESP server listening/);
  });

  test('cache commands run on redis-server: one, pipeline, multi-exec, path form; token levels hold', async () => {
    expect(await rest('rw-token-1234567', '/redis', ['SET', 'greeting', 'hello', 'EX', '100'])).toEqual({
      status: 200,
      body: { result: 'OK' },
    });
    // written in the external server, not in the bundled engine
    expect(await redis.get('greeting')).toBe('hello');
    expect(await redis.ttl('greeting')).toBeGreaterThan(90);
    await redis.hset('h', 'f', 'v');
    expect(
      await rest('ro-token-1234567', '/redis/pipeline', [
        ['GET', 'greeting'],
        ['HGET', 'h', 'f'],
        ['INCR', 'n'],
      ]),
    ).toEqual({
      status: 200,
      body: [
        { result: 'hello' },
        { result: 'v' },
        { error: "NOPERM this token has no permissions to run the 'incr' command" },
      ],
    });
    expect(await redis.exists('n')).toBe(0);
    // Redis's own errors come back as the command's reply
    expect(await rest('rw-token-1234567', '/redis', ['HGET', 'greeting', 'f'])).toEqual({
      status: 400,
      body: { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
    });
    expect(await rest('rw-token-1234567', '/redis', ['GET'])).toEqual({
      status: 400,
      body: { error: "ERR wrong number of arguments for 'get' command" },
    });
    expect(
      await rest('rw-token-1234567', '/redis/multi-exec', [
        ['INCR', 'n'],
        ['INCRBY', 'n', '4'],
        ['GET', 'n'],
      ]),
    ).toEqual({ status: 200, body: [{ result: 1 }, { result: 5 }, { result: '5' }] });
    expect(await redis.get('n')).toBe('5');
    // a command that needs a connection is refused here, as on the bundled engine
    const blocked = await rest('admin-token-123456', '/redis', ['BLPOP', 'q', '1']);
    expect(blocked.status).toBe(400);
    expect(blocked.body).toEqual({ error: "ERR 'blpop' is not available over the REST API" });
    // a command only the server knows: admin tokens only
    await redis.xadd('stream', '1-1', 'f', 'v');
    expect(await rest('admin-token-123456', '/redis', ['XLEN', 'stream'])).toEqual({
      status: 200,
      body: { result: 1 },
    });
    expect((await rest('rw-token-1234567', '/redis', ['XLEN', 'stream'])).status).toBe(403);
    const path = await fetch(`http://127.0.0.1:${serve.httpPort}/redis/get/greeting`, {
      headers: { authorization: 'Bearer ro-token-1234567' },
    });
    expect(await path.json()).toEqual({ result: 'hello' });
  });

  test('S3IDX.* on /redis answer from the index in Redis', async () => {
    const events = ['docs/a.txt', 'docs/b.txt', 'img/c.png'].map((k, i) =>
      created('pics', k, `000000000000001${i}`, 10),
    );
    expect((await rest('rw-token-1234567', '/v1/events', events)).status).toBe(200);
    expect(await rest('ro-token-1234567', '/redis', ['S3IDX.STATS', 'pics', 'docs/'])).toEqual({
      status: 200,
      body: { result: ['objects', 2, 'bytes', 20] },
    });
    const list = await rest('ro-token-1234567', '/redis', ['S3IDX.LIST', 'pics', 'DELIMITER', '/']);
    expect(list.body).toEqual({
      result: ['objects', [], 'prefixes', ['docs/', 'img/'], 'count', 2, 'truncated', 0, 'next', null],
    });
    const head = (await rest('ro-token-1234567', '/redis', ['S3IDX.HEAD', 'pics', 'img/c.png'])).body as {
      result: unknown[];
    };
    expect(head.result.slice(0, 4)).toEqual(['key', 'img/c.png', 'size', 10]);
    expect((await rest('ro-token-1234567', '/redis', ['S3IDX.BUCKETS'])).body).toEqual({ result: ['pics'] });
    expect(await rest('ro-token-1234567', '/redis', ['S3IDX.LIST', 'nope'])).toEqual({
      status: 400,
      body: { error: 'ERR no such bucket' },
    });
    // a write command: rw at least; its arguments checked as the bundled engine checks them
    expect(
      (await rest('ro-token-1234567', '/redis', ['S3IDX.BACKFILL', 'pics', '1', 'k', '1', 'e', '1', 'STANDARD']))
        .status,
    ).toBe(403);
    expect(
      await rest('rw-token-1234567', '/redis', ['S3IDX.BACKFILL', 'pics', 'x', 'k', '1', 'e', '1', 'STANDARD']),
    ).toEqual({
      status: 400,
      body: { error: 'ERR value is not an integer or out of range' },
    });
    // not inside a transaction: the index is not the server's
    const tx = await rest('rw-token-1234567', '/redis/multi-exec', [['S3IDX.STATS', 'pics']]);
    expect(tx.status).toBe(400);
    expect(JSON.stringify(tx.body)).toMatch(/EXECABORT.*cannot run in a transaction on an external Redis/);
  });

  test('S3IDX.LIST pages beyond 1000 keys (the LIST script reads payloads in slices)', async () => {
    const argv = ['S3IDX.BACKFILL', 'big', '1'];
    for (let i = 0; i < 2600; i++) argv.push(`k/${String(i).padStart(5, '0')}`, String(i), 'etag', '1000', 'STANDARD');
    const filled = await rest('rw-token-1234567', '/redis', argv);
    expect(filled.body).toEqual({ result: ['applied', 2600, 'stale', 0, 'duplicate', 0, 'ignored', 0] });
    const page = (await rest('ro-token-1234567', '/redis', ['S3IDX.LIST', 'big', 'MAXKEYS', '3000'])).body as {
      result: unknown[];
    };
    const objects = page.result[1] as unknown[][];
    expect(page.result.slice(4)).toEqual(['count', 2600, 'truncated', 0, 'next', null]);
    // every row with its own payload: key i has size i
    expect(objects.map((o) => [o[1], o[3]])).toEqual(
      Array.from({ length: 2600 }, (_, i) => [`k/${String(i).padStart(5, '0')}`, i]),
    );
    const cut = (await rest('ro-token-1234567', '/redis', ['S3IDX.LIST', 'big', 'MAXKEYS', '2000', 'DELIMITER', '/']))
      .body as { result: unknown[] };
    expect(cut.result.slice(2, 6)).toEqual(['prefixes', ['k/'], 'count', 1]);
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/s3-index.js', ...args, '--url', `http://127.0.0.1:${serve.httpPort}`],
        { cwd: root, env: { ...process.env, ...s3.env, S3_INDEX_TOKEN: 'rw-token-1234567' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  test('backfill crawls a bucket into the index in Redis; reconcile finds no drift, then repairs some', async () => {
    const keys = [
      ...Array.from({ length: 30 }, (_, i) => `photos/2024/IMG ${i}.jpg`),
      // s3rver leaves a folder holding only folders out of a delimiter listing (real S3 does not)
      'photos/index.html',
      'notes/a.txt',
      'Résumé.pdf',
      'top',
    ];
    for (const [i, Key] of keys.entries())
      await s3.client.send(new PutObjectCommand({ Bucket: 'crawled', Key, Body: Buffer.alloc(i % 5, 'x') }));
    const run = await cli(['backfill', 'crawled']);
    if (run.code !== 0) throw new Error(run.stderr);
    expect(JSON.parse(run.stdout)).toMatchObject({ bucket: 'crawled', applied: keys.length });
    const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(await redis.zrangebylex('s3idx:{crawled}:keys', '-', '+')).toEqual(sorted);
    expect(await redis.hget('s3idx:{crawled}:dirn', 'photos/')).toBe('31');

    const clean = await cli(['reconcile', 'crawled', '--json']);
    if (clean.code !== 0) throw new Error(clean.stderr + clean.stdout);
    expect(JSON.parse(clean.stdout)).toMatchObject({ drift: 0, missing: [], extra: [], stale: [] });

    // drift made behind the index's back: a key gone from Redis; reconcile finds it and puts it back
    await redis.zrem('s3idx:{crawled}:keys', 'top');
    await redis.hdel('s3idx:{crawled}:meta', 'top');
    const drift = await cli(['reconcile', 'crawled', '--json', '--repair']);
    const report = JSON.parse(drift.stdout) as { drift: number; missing: Array<{ key: string }> };
    expect(report.drift).toBe(1);
    expect(report.missing.map((m) => m.key)).toEqual(['top']);
    expect(await redis.zscore('s3idx:{crawled}:keys', 'top')).toBe('0');
    const after = await cli(['reconcile', 'crawled', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ drift: 0 });
  }, 120_000);
});
