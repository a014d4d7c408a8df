/**
 * `s3-index serve` listens before it restores, as redis-server does: while a real data directory (hundreds of
 * thousands of indexed objects in a snapshot, and log segments after it) loads, RESP answers LOADING (INFO reports
 * loading:1 and Redis's loading_* progress), HTTP answers 503 with a Retry-After (/healthz with the progress,
 * /metrics as usual, authentication first), an ioredis client that connects meanwhile waits and then works, and a
 * restore that fails still ends the process with one line. Also: the log-size rule starts snapshots by itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ingest } from '../../src/ingest/apply';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { createEngine } from '../../src/service/create-engine';
import { Persistence } from '../../src/service/persistence';
import { S3Index } from '../../src/service/s3-index';
import { buildCli, killServeChildren, type ServeChild, startServeChild } from '../helpers/serve-child';
import { cmd, RawClient } from '../server/harness';

const BUCKET = 'loading-bucket';
const SNAPSHOT_OBJECTS = 300_000;
const LOG_SEGMENTS = 8;
const SEGMENT_OBJECTS = 5_000;
const TOTAL = SNAPSHOT_OBJECTS + LOG_SEGMENTS * SEGMENT_OBJECTS;
const RO = 'ro-token-loading-0123456789';
const RW = 'rw-token-loading-0123456789';

function created(i: number): unknown {
  const key = `data/${String(i % 1000).padStart(3, '0')}/part-${i}.parquet`;
  return {
    version: '0',
    id: `e-${i}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-05-01T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: {
      version: '0',
      bucket: { name: BUCKET },
      object: { key, size: i + 1, etag: 'e', sequencer: (i + 1).toString(16).padStart(12, '0') },
    },
  };
}

/** A data directory as a server leaves it: a snapshot of SNAPSHOT_OBJECTS objects, then LOG_SEGMENTS segments. */
async function buildDataDir(dir: string): Promise<void> {
  const engine = createEngine();
  const p = await Persistence.open(engine, {
    store: await FsBlobStore.open(dir),
    policy: 'always',
    saveRules: [],
    log: () => undefined,
  });
  let i = 0;
  // straight into the database (not logged): the snapshot takes all of it
  while (i < SNAPSHOT_OBJECTS) {
    const batch: unknown[] = [];
    for (const end = Math.min(SNAPSHOT_OBJECTS, i + 10_000); i < end; i++) batch.push(created(i));
    const out = ingest({ db: engine.dbs[0]!, now: Date.now() }, batch);
    if (out.applied !== batch.length) throw new Error(`ingest: ${JSON.stringify(out).slice(0, 200)}`);
  }
  await p.bgsave();
  // then through the durable index: one committed segment per batch
  const index = p.durableIndex(new S3Index(engine));
  for (let s = 0; s < LOG_SEGMENTS; s++) {
    const batch: unknown[] = [];
    for (const end = i + SEGMENT_OBJECTS; i < end; i++) batch.push(created(i));
    const out = await index.ingest(batch);
    if (out.applied !== batch.length) throw new Error('log ingest not applied');
  }
  await p.close({ snapshot: false });
}

/** Starts serve and resolves as soon as it says it is loading: both ports are open then, the restore under way. */
function startLoading(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServeChild> {
  return startServeChild({
    dataDir,
    args: ['--save', '', ...args],
    env,
    readyWhen: /^s3-index: loading the dataset from /m,
  });
}

const dirs: string[] = [];
let loaded: string;

function copyDir(from: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-loading-'));
  dirs.push(to);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

beforeAll(async () => {
  buildCli();
  loaded = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-loading-'));
  dirs.push(loaded);
  await buildDataDir(loaded);
}, 60_000);

afterAll(async () => {
  await killServeChildren();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const LOADING = { error: 'LOADING Redis is loading the dataset in memory' };

/** One command over a raw RESP connection: its reply, decoded (errors as { error }). */
async function command(c: RawClient, ...args: string[]) {
  return (await c.call(cmd(...args)))[0];
}

const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('serve listens while it restores', () => {
  it('answers LOADING on RESP and 503 on HTTP until the whole state is there, then serves all of it', async () => {
    const s = await startLoading(copyDir(loaded), [], { S3_INDEX_API_TOKENS: `ro:${RO},rw:${RW}` });
    const http = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${s.httpPort}${p}`, init);
    // the first health check already finds it loading
    const health = await http('/healthz');
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await health.json()).toEqual({
      status: 'loading',
      phase: expect.stringMatching(/^(snapshot|log)$/),
      startedAt: expect.any(Number),
      totalBytes: expect.any(Number),
      loadedBytes: expect.any(Number),
      loadedPerc: expect.any(Number),
      etaSeconds: expect.any(Number),
      batchesReplayed: expect.any(Number),
    });
    const resp = await RawClient.connect(s.respPort);
    const [[get, ping, info, clientSetname], v1, v1NoToken, s3, redis, metrics] = await Promise.all([
      resp.call(
        Buffer.concat([cmd('GET', 'k'), cmd('PING'), cmd('INFO', 'persistence'), cmd('CLIENT', 'SETNAME', 'early')]),
        4,
      ),
      http(`/v1/buckets/${BUCKET}/objects?max-keys=10`, auth(RO)),
      http(`/v1/buckets/${BUCKET}/objects?max-keys=10`),
      http(`/s3/${BUCKET}?list-type=2`, auth(RO)),
      http('/redis', { method: 'POST', body: JSON.stringify(['GET', 'k']), ...auth(RW) }),
      http('/metrics', auth(RO)),
    ]);
    expect(get).toEqual(LOADING);
    expect(ping).toEqual(LOADING);
    expect(clientSetname).toBe('OK');
    expect(info).toMatch(/\r\nloading:1\r\n/);
    expect(info).toMatch(/\r\nasync_loading:0\r\n/);
    for (const f of ['loading_start_time', 'loading_total_bytes', 'loading_loaded_bytes', 'loading_eta_seconds'])
      expect(info).toMatch(new RegExp(`\\r\\n${f}:\\d+\\r\\n`));
    expect(info).toMatch(/\r\nloading_loaded_perc:\d+\.\d\d\r\n/);
    // authentication still comes first
    expect(v1NoToken.status).toBe(401);
    expect(v1.status).toBe(503);
    expect(v1.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await v1.json()).toEqual({ error: { code: 'Loading', message: expect.stringMatching(/loading/) } });
    expect(s3.status).toBe(503);
    expect(s3.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await s3.text()).toMatch(/<Code>ServiceUnavailable<\/Code>/);
    expect(redis.status).toBe(503);
    expect(await redis.json()).toEqual({ error: 'LOADING Redis is loading the dataset in memory' });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/\ns3index_loading 1\n/);

    // then, everything at once: the listing is whole from its first answer
    expect(await s.untilHealthy(60_000)).toEqual({ status: 'ok' });
    const stats = await http(`/v1/buckets/${BUCKET}/stats`, auth(RO));
    expect(await stats.json()).toMatchObject({ objects: TOTAL });
    expect(await command(resp, 'S3IDX.STATS', BUCKET)).toEqual(['objects', TOTAL, 'bytes', (TOTAL * (TOTAL + 1)) / 2]);
    expect(await command(resp, 'PING')).toBe('PONG');
    expect(await command(resp, 'CLIENT', 'GETNAME')).toBe('early');
    const after = (await command(resp, 'INFO', 'persistence')) as string;
    expect(after).toMatch(/\r\nloading:0\r\n/);
    expect(after).not.toMatch(/loading_eta_seconds/);
    expect(after).toMatch(new RegExp(`\\r\\ns3index_log_segments:${LOG_SEGMENTS}\\r\\n`));
    resp.close();
    const lines = s.stderr().split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^s3-index: loading the dataset from directory \S+ \(RESP port \d+ and HTTP port \d+ answer LOADING meanwhile\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^s3-index: DB loaded in \\d+\\.\\d{3} seconds: restored \\d+ keys from the snapshot and ${LOG_SEGMENTS} logged batches$`,
        ),
      ),
    );
    await s.kill();
  }, 60_000);

  it('an ioredis client that connects during the restore waits for it, then reads the restored state', async () => {
    const s = await startLoading(copyDir(loaded));
    const probe = await RawClient.connect(s.respPort);
    const r = new Redis(s.respPort);
    const stats = r.call('S3IDX.STATS', BUCKET);
    // it did connect while loading
    expect(await command(probe, 'DBSIZE')).toEqual(LOADING);
    expect(await stats).toEqual(['objects', TOTAL, 'bytes', (TOTAL * (TOTAL + 1)) / 2]);
    expect(r.status).toBe('ready');
    probe.close();
    r.disconnect();
    await s.kill();
  }, 60_000);

  it('a restore that fails after the ports opened still ends the process with one clear line', async () => {
    const dir = copyDir(loaded);
    // flip a byte in the middle of the snapshot: a section's checksum no longer matches
    const snapDir = path.join(dir, 'snapshots');
    const snap = path.join(snapDir, fs.readdirSync(snapDir)[0]!);
    const bytes = fs.readFileSync(snap);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(snap, bytes);
    const s = await startLoading(dir);
    expect((await s.exited).code).toBe(1);
    const ours = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('s3-index:'));
    expect(ours[0]).toMatch(/^s3-index: loading the dataset from /);
    expect(ours.slice(1)).toEqual([expect.stringMatching(/^s3-index: .*(checksum|inflate|section|snapshot)/i)]);
    expect(s.stderr()).not.toMatch(/\n\s+at /); // no stack
    // and the ports are closed
    await expect(fetch(`http://127.0.0.1:${s.httpPort}/healthz`)).rejects.toThrow();
  }, 60_000);
});

describe('automatic snapshots by the log size', () => {
  it('more segments than --auto-snapshot-max-segments start a snapshot that folds them in', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-loading-'));
    dirs.push(dir);
    const s = await startLoading(dir, ['--auto-snapshot-max-segments', '3'], {
      S3_INDEX_AUTO_SNAPSHOT_PERCENTAGE: '0',
    });
    await s.untilHealthy(30_000);
    const r = new Redis(s.respPort);
    // four commits, four segments: one more than allowed
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${s.httpPort}/v1/events`, {
        method: 'POST',
        body: JSON.stringify([created(i)]),
      });
      expect(res.status).toBe(200);
    }
    let info = '';
    for (let i = 0; i < 100; i++) {
      info = await r.info('persistence');
      if (/\r\ns3index_log_segments:0\r\n/.test(info) && /rdb_bgsave_in_progress:0/.test(info)) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(info).toMatch(/\r\ns3index_log_segments:0\r\n/);
    expect(info).toMatch(/\r\naof_base_size:[1-9]\d*\r\n/);
    expect(s.stderr()).toMatch(/the log has 4 segments, more than 3: saving a snapshot/);
    expect(fs.readdirSync(path.join(dir, 'snapshots'))).toHaveLength(1);
    r.disconnect();
    await s.kill();
  }, 30_000);
});
