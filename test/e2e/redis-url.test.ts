/**
 * `s3-index serve --redis-url`: the object index kept in a real redis-server. Events posted to the API land in
 * Redis (readable there with any client), the AWS SDK lists them through /s3, a second server process on the same
 * Redis answers the same, a Redis going down turns requests into 503s (nothing acknowledged) and the service recovers
 * by itself when it comes back; a bad URL or an unreachable server stops `serve` with one line that never shows the
 * password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Redis from 'ioredis';
import { describeWithTool, freePort, waitForPort } from '../helpers/redis-server';
import { buildCli, killServeChildren, runServe, type ServeChild, startServeChild } from '../helpers/serve-child';
import { created, deleted } from '../index/harness';

const describeRedis = describeWithTool('redis-server');
const BUCKET = 'photos';

describeRedis('serve --redis-url', () => {
  let port: number;
  let dir: string;
  let redisProc: ChildProcess | undefined;
  let serve: ServeChild;

  /** redis-server on `port`, its AOF (fsync always) in `dir`: a restart keeps what it acknowledged. */
  async function startRedis(): Promise<void> {
    redisProc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
      { cwd: dir, stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
  }

  async function stopRedis(): Promise<void> {
    const p = redisProc;
    if (p === undefined || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  const api = (s: ServeChild, p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${s.httpPort}${p}`, init);

  beforeAll(async () => {
    buildCli();
    port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-redis-url-'));
    await startRedis();
    serve = await startServeChild({ args: ['--redis-url', `redis://127.0.0.1:${port}`] });
  }, 60_000);

  afterAll(async () => {
    await killServeChildren();
    await stopRedis();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('events land in Redis; the AWS SDK lists them through /s3; a second server on the same Redis agrees', async () => {
    expect(serve.stderr()).toMatch(/object index lives in redis:\/\/127\.0\.0\.1:\d+/);
    const keys = ['a/1.jpg', 'a/2.jpg', 'a b/x', 'b.txt', 'é/日本.txt', 'z'];
    const events = keys.map((k, i) => created(BUCKET, k, `00000000000000${10 + i}`, 100 + i));
    const res = await api(serve, '/v1/events', { method: 'POST', body: JSON.stringify(events) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: keys.length });
    const gone = await api(serve, '/v1/events', {
      method: 'POST',
      body: JSON.stringify([deleted(BUCKET, 'b.txt', '0000000000000099')]),
    });
    expect(await gone.json()).toMatchObject({ applied: 1 });

    // the data is in redis-server, under the bucket's hash tag
    const redis = new Redis({ port, host: '127.0.0.1' });
    try {
      expect(await redis.zrangebylex(`s3idx:{${BUCKET}}:keys`, '-', '+')).toEqual(
        keys.filter((k) => k !== 'b.txt').sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
      );
      expect(await redis.sismember('s3idx:buckets', BUCKET)).toBe(1);
    } finally {
      redis.disconnect();
    }

    const second = await startServeChild({ args: ['--redis-url', `redis://127.0.0.1:${port}`] });
    for (const s of [serve, second]) {
      const s3 = new S3Client({
        endpoint: `http://127.0.0.1:${s.httpPort}/s3`,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      try {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
        expect(page.Contents?.map((o) => [o.Key, o.Size])).toEqual([['z', 105]]);
        expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a b/', 'a/', 'é/']);
        const paged = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 2 }));
        expect(paged.Contents?.map((o) => o.Key)).toEqual(['a b/x', 'a/1.jpg']);
        expect(paged.IsTruncated).toBe(true);
      } finally {
        s3.destroy();
      }
      const stats = await (await api(s, `/v1/buckets/${BUCKET}/stats?prefix=a/`)).json();
      // (before a/3.jpg below)
      expect(stats).toMatchObject({ objects: 2, bytes: 201 });
    }
    // the response cache stays right across processes: a page cached here, changed through the other server
    const cachedPath = `/v1/buckets/${BUCKET}/objects?prefix=a/`;
    const keysOf = async () =>
      ((await (await api(serve, cachedPath)).json()) as { objects: Array<{ key: string }> }).objects.map((o) => o.key);
    expect(await keysOf()).toEqual(['a/1.jpg', 'a/2.jpg']);
    expect(await keysOf()).toEqual(['a/1.jpg', 'a/2.jpg']);
    const other = await api(second, '/v1/events', {
      method: 'POST',
      body: JSON.stringify([created(BUCKET, 'a/3.jpg', '0000000000000150')]),
    });
    expect(await other.json()).toMatchObject({ applied: 1 });
    let seen: string[] = [];
    for (let i = 0; i < 40 && seen.length !== 3; i++) {
      seen = await keysOf();
      if (seen.length !== 3) await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen).toEqual(['a/1.jpg', 'a/2.jpg', 'a/3.jpg']);
    await second.kill('SIGTERM');
  }, 60_000);

  test('Redis down: 503s, nothing acknowledged; back up: the service recovers by itself, acknowledged data kept', async () => {
    await stopRedis();
    const list = await api(serve, `/v1/buckets/${BUCKET}/objects`);
    expect(list.status).toBe(503);
    const post = await api(serve, '/v1/events', {
      method: 'POST',
      body: JSON.stringify([created(BUCKET, 'while-down', '0000000000000200')]),
    });
    expect(post.status).toBe(503);
    expect(serve.alive()).toBe(true);

    await startRedis();
    // ioredis reconnects with backoff (≤ 2 s)
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await api(serve, `/v1/buckets/${BUCKET}/objects`)).status;
    }
    expect(status).toBe(200);
    const page = (await (await api(serve, `/v1/buckets/${BUCKET}/objects`)).json()) as {
      objects: Array<{ key: string }>;
    };
    expect(page.objects.map((o) => o.key)).toEqual(['a b/x', 'a/1.jpg', 'a/2.jpg', 'a/3.jpg', 'z', 'é/日本.txt']);
    // the batch refused while it was down is applied when it comes again (the queue's redelivery)
    const again = await api(serve, '/v1/events', {
      method: 'POST',
      body: JSON.stringify([created(BUCKET, 'while-down', '0000000000000200')]),
    });
    expect(await again.json()).toMatchObject({ applied: 1 });
  }, 60_000);

  test('a bad URL (exit 2), or a server that does not answer (exit 1): one line, no password shown', async () => {
    const bad = await runServe({ args: ['--redis-url', 'http://user:s3cret-pw@host:1'] });
    // a configuration error: exit 2, as for every other bad option
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--redis-url must look like redis:\/\//);
    expect(bad.stderr).not.toContain('s3cret-pw');
    const both = await runServe({ args: ['--redis-url', `redis://127.0.0.1:${port}`, '--data-dir', dir] });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--data-dir would hold nothing/);
    const closed = await freePort();
    const down = await runServe({ args: ['--redis-url', `redis://admin:s3cret-pw@127.0.0.1:${closed}`] });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the Redis server redis:\/\/admin@127\.0\.0\.1:\d+/);
    expect(down.stderr).not.toContain('s3cret-pw');
  }, 60_000);
});
