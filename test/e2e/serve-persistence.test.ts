/**
 * `s3-index serve --data-dir` as a user runs it (the built CLI, a real process): what was acknowledged survives a
 * crash (SIGKILL), a SIGTERM leaves a final snapshot, SAVE/BGSAVE/LASTSAVE/INFO persistence answer over RESP, and
 * a data directory that cannot be used stops the start with one clear line. The crash loop kills the server at
 * seeded random moments while ingest batches are in flight; after each restart every acknowledged batch is there,
 * and every batch is there whole or not at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { buildCli, killServeChildren, runServe, type ServeChild, startServeChild } from '../helpers/serve-child';

const BUCKET = 'persist-bucket';

function created(key: string, size: number, sequencer: string): unknown {
  return {
    version: '0',
    id: `e-${key}-${sequencer}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-05-01T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: { version: '0', bucket: { name: BUCKET }, object: { key, size, etag: 'e', sequencer } },
  };
}

/**
 * Starts serve and waits until it has restored its state. The young-generation flag given here, the launcher runs the
 * server in this very process: the crash loop's SIGKILL hits it.
 */
const started = (dataDir: string | undefined, args: string[] = [], env: Record<string, string> = {}) =>
  startServeChild({ dataDir, args, env, semiSpaceMb: 64 });

const post = (s: ServeChild, events: unknown[]) =>
  fetch(`http://127.0.0.1:${s.httpPort}/v1/events`, { method: 'POST', body: JSON.stringify(events) });

async function listKeys(s: ServeChild): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const q = token ? `&continuation-token=${encodeURIComponent(token)}` : '';
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/v1/buckets/${BUCKET}/objects?max-keys=1000${q}`);
    if (res.status === 404) return [];
    const page = (await res.json()) as { objects: Array<{ key: string }>; nextContinuationToken?: string };
    keys.push(...page.objects.map((o) => o.key));
    token = page.nextContinuationToken;
  } while (token);
  return keys;
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-serve-'));
  dirs.push(d);
  return d;
};

beforeAll(() => {
  buildCli();
});

afterAll(async () => {
  await killServeChildren();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('s3-index serve --data-dir', () => {
  it('an acknowledged ingest batch survives SIGKILL', async () => {
    const dir = tempDir();
    const a = await started(dir);
    const res = await post(a, [created('a/1', 1, '01'), created('a/2', 2, '02')]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 2 });
    // S3IDX.INGEST over RESP, with the default appendfsync everysec: still answered only once durable
    const r = new Redis(a.respPort);
    expect(await r.call('S3IDX.INGEST', JSON.stringify([created('a/3', 3, '03')]))).toEqual([
      'applied',
      1,
      'stale',
      0,
      'duplicate',
      0,
      'ignored',
      0,
      'rejected',
      [],
    ]);
    r.disconnect();
    await a.kill();
    const b = await started(dir);
    expect(await listKeys(b)).toEqual(['a/1', 'a/2', 'a/3']);
    expect(b.stderr()).toMatch(/restored \d+ keys from the snapshot and 2 logged batches/);
  }, 60_000);

  it('with appendfsync always, an acknowledged RESP write survives SIGKILL', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--appendfsync', 'always']);
    const r = new Redis(a.respPort, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await r.connect();
    // a pipeline: every reply comes after its write is durable
    const replies = await r.pipeline().set('k1', 'v1').hset('h', 'f', 'x').set('k2', 'v2', 'EX', 1000).exec();
    expect(replies!.map(([e]) => e)).toEqual([null, null, null]);
    r.disconnect();
    // and over /redis (Upstash REST)
    const rest = await fetch(`http://127.0.0.1:${a.httpPort}/redis`, {
      method: 'POST',
      body: JSON.stringify(['SET', 'rest', 'yes']),
    });
    expect(await rest.json()).toEqual({ result: 'OK' });
    await a.kill();
    const b = await started(dir);
    const r2 = new Redis(b.respPort);
    expect(await r2.mget('k1', 'k2')).toEqual(['v1', 'v2']);
    expect(await r2.hget('h', 'f')).toBe('x');
    expect(await r2.get('rest')).toBe('yes');
    expect(await r2.ttl('k2')).toBeGreaterThan(990);
    r2.disconnect();
  }, 60_000);

  it('a queue: what blocked clients were served (BLPOP, BLMOVE) stays taken after SIGKILL', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--appendfsync', 'always']);
    const worker = new Redis(a.respPort, { maxRetriesPerRequest: 0 });
    const mover = new Redis(a.respPort, { maxRetriesPerRequest: 0 });
    const producer = new Redis(a.respPort, { maxRetriesPerRequest: 0 });
    // both wait before anything is queued; the producer's push serves them
    const popped = worker.blpop('jobs', 0);
    const moved = mover.blmove('incoming', 'processing', 'LEFT', 'RIGHT', 0);
    for (let i = 0; i < 100; i++) {
      const info = await producer.info('clients');
      if (/blocked_clients:2/.test(info)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await producer.rpush('jobs', 'j1', 'j2', 'j3')).toBe(3);
    expect(await producer.rpush('incoming', 'i1', 'i2')).toBe(2);
    expect(await popped).toEqual(['jobs', 'j1']);
    expect(await moved).toBe('i1');
    for (const c of [worker, mover, producer]) c.disconnect();
    await a.kill();
    const b = await started(dir);
    const r = new Redis(b.respPort);
    expect(await r.lrange('jobs', 0, -1)).toEqual(['j2', 'j3']);
    expect(await r.lrange('incoming', 0, -1)).toEqual(['i2']);
    expect(await r.lrange('processing', 0, -1)).toEqual(['i1']);
    r.disconnect();
  }, 60_000);

  it('SIGTERM saves a final snapshot: the restart replays no log', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--save', '']);
    const r = new Redis(a.respPort);
    await r.set('x', '1');
    await post(a, [created('t/1', 5, '01')]);
    r.disconnect();
    expect((await a.kill('SIGTERM')).code).toBe(0);
    expect(a.stderr()).toMatch(/SIGTERM received, shutting down \(saving a final snapshot\)/);
    const b = await started(dir);
    expect(b.stderr()).toMatch(/restored \d+ keys from the snapshot and 0 logged batches/);
    const r2 = new Redis(b.respPort);
    expect(await r2.get('x')).toBe('1');
    r2.disconnect();
    expect(await listKeys(b)).toEqual(['t/1']);
  }, 60_000);

  it('SAVE, BGSAVE, LASTSAVE and INFO persistence', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--save', '']);
    const r = new Redis(a.respPort);
    await r.set('a', '1');
    const before = Number(await r.lastsave());
    await new Promise((res) => setTimeout(res, 1100));
    expect(await r.save()).toBe('OK');
    expect(Number(await r.lastsave())).toBeGreaterThan(before);
    let info = await r.info('persistence');
    expect(info).toMatch(/rdb_changes_since_last_save:0/);
    expect(info).toMatch(/rdb_last_bgsave_status:ok/);
    expect(info).toMatch(/aof_enabled:1/);
    expect(info).toMatch(/s3index_appendfsync:everysec/);
    await r.set('b', '2');
    expect(await r.bgsave()).toBe('Background saving started');
    for (let i = 0; i < 100; i++) {
      info = await r.info('persistence');
      if (/rdb_bgsave_in_progress:0/.test(info)) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(info).toMatch(/rdb_bgsave_in_progress:0/);
    expect(info).toMatch(/rdb_changes_since_last_save:0/);
    r.disconnect();
    const files = fs.readdirSync(path.join(dir, 'snapshots'));
    expect(files.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a data directory that cannot be used stops the start with one line', async () => {
    const { code, stderr } = await runServe({ dataDir: '/proc/version/data', launcher: true });
    expect(code).toBe(1);
    expect(stderr).toBe('s3-index: data directory /proc/version/data is not writable (ENOTDIR)\n');
  }, 30_000);

  it('a snapshot from a newer format version is refused with what to do', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--save', '']);
    await post(a, [created('n/1', 1, '01')]);
    expect((await a.kill('SIGTERM')).code).toBe(0);
    const snap = path.join(dir, 'snapshots', fs.readdirSync(path.join(dir, 'snapshots'))[0]!);
    const bytes = fs.readFileSync(snap);
    bytes.writeUInt16BE(99, 8);
    const { crc32 } = await import('node:zlib');
    bytes.writeUInt32BE(crc32(bytes.subarray(0, 28)), 28);
    fs.writeFileSync(snap, bytes);
    const { code, stderr } = await runServe({ dataDir: dir, launcher: true });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /s3-index: snapshot format version 99 is newer than this build reads \(1\): upgrade s3-index\n$/,
    );
  }, 30_000);

  it('a second server on the same directory is fenced off: the later committer stops with one clear line', async () => {
    const dir = tempDir();
    const a = await started(dir, ['--save', '']);
    const b = await started(dir, ['--save', '']);
    expect((await post(a, [created('f/a', 1, '01')])).status).toBe(200);
    // b read the manifest before a committed: its commit loses, and it stops rather than overwrite
    const res = await post(b, [created('f/b', 1, '02')]);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'ServiceUnavailable',
        message: expect.stringMatching(/another writer committed to the store first/),
      },
    });
    // it stops by itself, without a final snapshot
    expect((await b.exited).code).toBe(1);
    expect(b.stderr()).toMatch(/another writer committed to the store first/);
    expect(b.stderr()).toMatch(/another writer committed to the store, shutting down\n/);
    // a goes on, and what it acknowledged is what a restart sees
    expect((await post(a, [created('f/c', 1, '03')])).status).toBe(200);
    await a.kill();
    const c = await started(dir);
    expect(await listKeys(c)).toEqual(['f/a', 'f/c']);
  }, 60_000);

  it('--store s3://bucket/prefix keeps the state in S3 (s3rver), and says that s3rver cannot fence writers', async () => {
    const dir = tempDir();
    const S3rver = require('s3rver') as new (
      o: Record<string, unknown>,
    ) => {
      run(): Promise<{ port: number }>;
      close(): Promise<void>;
    };
    const s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'state' }],
    });
    const { port } = await s3.run();
    try {
      const env = {
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      };
      const a = await started(undefined, ['--store', 's3://state/idx', '--save', ''], env);
      expect(a.stderr()).toMatch(
        /s3-index: s3:\/\/state\/idx at \S+ ignores conditional writes .*cannot be fenced off; run only one server on this store\n/,
      );
      expect((await post(a, [created('s/1', 1, '01')])).status).toBe(200);
      expect((await a.kill('SIGTERM')).code).toBe(0);
      const b = await started(undefined, ['--store', 's3://state/idx'], env);
      expect(await listKeys(b)).toEqual(['s/1']);
      await b.kill();
      // an unreachable store stops the start with one line
      const { code, stderr } = await runServe({
        args: ['--store', 's3://state/idx'],
        env: { ...env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' },
        launcher: true,
      });
      expect(code).toBe(1);
      // one line of ours (the AWS SDK may add its own Node-version warning before it)
      expect(stderr.split('\n').filter((l) => l.startsWith('s3-index:'))).toEqual([
        expect.stringMatching(/^s3-index: .*s3:\/\/state\/idx/),
      ]);
      expect(stderr).not.toMatch(/S3RVER/);
    } finally {
      await s3.close();
    }
  }, 90_000);

  it('crash loop: killed at random moments during ingest, every acknowledged batch survives, whole', async () => {
    const dir = tempDir();
    // seeded, so a failure can be replayed
    let seed = 20261205;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const acked = new Set<number>();
    const sent = new Set<number>();
    let batchNo = 0;
    const ROUNDS = 12;
    for (let round = 0; round < ROUNDS; round++) {
      // every few rounds the server also snapshots while being written to
      const s = await started(dir, ['--save', round % 3 === 2 ? '0 1' : '']);
      // everything acknowledged so far is there, and every batch is whole or absent
      const keys = new Set(await listKeys(s));
      for (const b of acked) for (let i = 0; i < 5; i++) expect(keys.has(`b${b}/k${i}`)).toBe(true);
      for (const b of sent) {
        const present = [0, 1, 2, 3, 4].filter((i) => keys.has(`b${b}/k${i}`)).length;
        expect([0, 5]).toContain(present);
      }
      const killAt = Date.now() + 50 + rand() * 400;
      const inFlight: Promise<void>[] = [];
      while (Date.now() < killAt) {
        const b = batchNo++;
        sent.add(b);
        const events = [0, 1, 2, 3, 4].map((i) => created(`b${b}/k${i}`, i + 1, (b * 10 + i + 1).toString(16)));
        inFlight.push(
          post(s, events).then(
            async (res) => {
              if (res.status === 200 && ((await res.json()) as { applied: number }).applied === 5) acked.add(b);
            },
            () => undefined, // the kill cut it off: neither acknowledged nor lost-and-acknowledged
          ),
        );
        await new Promise((r) => setTimeout(r, rand() * 20));
      }
      await s.kill();
      await Promise.all(inFlight);
    }
    expect(acked.size).toBeGreaterThan(ROUNDS * 3);
    const last = await started(dir);
    const keys = new Set(await listKeys(last));
    for (const b of acked) for (let i = 0; i < 5; i++) expect(keys.has(`b${b}/k${i}`)).toBe(true);
  }, 180_000);
});
