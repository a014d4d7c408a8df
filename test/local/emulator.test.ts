/**
 * src/local/emulator.ts in-process: s3rver on port 0 in a temporary directory, driven by @aws-sdk/client-s3 with
 * arbitrary credentials, its changes delivered to a real engine-backed S3Index. After drain(), the index lists exactly
 * what the emulator itself lists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type RunningEmulator, startEmulator } from '../../src/local/emulator';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';

interface Row {
  key: string;
  size: number;
  etag: string;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface Harness {
  emulator: RunningEmulator;
  client: S3Client;
  index: S3Index;
  events: Array<Record<string, unknown> & { detail: { reason: string; object: { key: string; sequencer: string } } }>;
  log: string[];
}

const dirs: string[] = [];
const running: Harness[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-emulator-'));
  dirs.push(d);
  return d;
}

async function start(
  directory: string,
  opts: {
    buckets?: string[];
    index?: S3Index;
    /** runs before each delivery is ingested; a throw fails it */
    before?: (events: unknown[]) => void | Promise<void>;
  } = {},
): Promise<Harness> {
  const index = opts.index ?? new S3Index(createEngine());
  const events: Harness['events'] = [];
  const log: string[] = [];
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    directory,
    buckets: opts.buckets ?? ['demo'],
    log: (line) => log.push(line),
    onEvents: async (batch) => {
      await opts.before?.(batch);
      const outcome = index.ingest(batch);
      expect(outcome.rejected).toEqual([]);
      events.push(...(batch as Harness['events']));
    },
  });
  const client = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const h = { emulator, client, index, events, log };
  running.push(h);
  return h;
}

async function stop(h: Harness): Promise<void> {
  running.splice(running.indexOf(h), 1);
  h.client.destroy();
  await h.emulator.close();
}

afterAll(async () => {
  for (const h of [...running]) await stop(h);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The emulator's own listing, all pages. */
async function emulatorListing(client: S3Client, bucket = 'demo'): Promise<Row[]> {
  const rows: Row[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) rows.push({ key: o.Key!, size: o.Size!, etag: o.ETag!.replace(/"/g, '') });
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return rows;
}

function indexListing(index: S3Index, bucket = 'demo'): Row[] {
  const page = index.listObjectsV2(bucket, { maxKeys: 1000 });
  if (!page.ok) {
    if (page.error.code === 'NoSuchBucket') return [];
    throw new Error(page.error.message);
  }
  return page.value.contents.map((o) => ({ key: o.key, size: o.size, etag: o.etag ?? '' }));
}

const put = (client: S3Client, Key: string, Body: string | Buffer, Bucket = 'demo') =>
  client.send(new PutObjectCommand({ Bucket, Key, Body }));

const KEYS = [
  'plain.txt',
  'with space.txt',
  'a+b.txt',
  'caf\u00e9/\u65e5\u672c\u8a9e \u{1F600}.txt',
  'deep/a/b/c/d/e/f/leaf.bin',
  'percent%20literal.txt',
];

describe('startEmulator', () => {
  it('indexes puts, overwrites, copies, a multipart upload and deletes as the emulator itself lists them', async () => {
    const h = await start(tempDir());
    const { client, index, emulator } = h;
    for (const k of KEYS) await put(client, k, `body of ${k}`);
    // overwrite: a new size and etag win
    const over = await put(client, 'with space.txt', 'a longer body than before');
    await put(client, 'to-delete-1', 'x');
    await put(client, 'to-delete-2', 'y');
    await put(client, 'to-delete-3', 'z');
    // copy from a plain source key to keys that need encoding
    await client.send(
      new CopyObjectCommand({ Bucket: 'demo', Key: 'copies/copy of plain+1.txt', CopySource: 'demo/plain.txt' }),
    );
    // multipart: two parts (s3rver does not enforce S3's 5 MiB minimum part size)
    const mp = await client.send(new CreateMultipartUploadCommand({ Bucket: 'demo', Key: 'big/multi part+.bin' }));
    const parts = [];
    for (const [i, body] of [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(1234, 2)].entries()) {
      const r = await client.send(
        new UploadPartCommand({
          Bucket: 'demo',
          Key: 'big/multi part+.bin',
          UploadId: mp.UploadId,
          PartNumber: i + 1,
          Body: body,
        }),
      );
      parts.push({ ETag: r.ETag, PartNumber: i + 1 });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'demo',
        Key: 'big/multi part+.bin',
        UploadId: mp.UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    await client.send(new DeleteObjectCommand({ Bucket: 'demo', Key: 'a+b.txt' }));
    const del = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'demo',
        Delete: { Objects: [{ Key: 'to-delete-1' }, { Key: 'to-delete-2' }, { Key: 'to-delete-3' }] },
      }),
    );
    expect(del.Deleted?.map((d) => d.Key).sort()).toEqual(['to-delete-1', 'to-delete-2', 'to-delete-3']);
    await emulator.drain();

    const fromEmulator = await emulatorListing(client);
    const fromIndex = indexListing(index);
    // the index orders keys by their bytes, as S3 does
    expect(fromIndex.map((r) => r.key)).toEqual(fromIndex.map((r) => r.key).sort(byBytes));
    expect(fromIndex).toEqual([...fromEmulator].sort((a, b) => byBytes(a.key, b.key)));
    // and that is the expected set: nothing missed, nothing resurrected
    const expected = [...KEYS.filter((k) => k !== 'a+b.txt'), 'copies/copy of plain+1.txt', 'big/multi part+.bin'].sort(
      byBytes,
    );
    expect(fromIndex.map((r) => r.key)).toEqual(expected);
    const row = (k: string) => fromIndex.find((r) => r.key === k)!;
    expect(row('with space.txt')).toEqual({
      key: 'with space.txt',
      size: Buffer.byteLength('a longer body than before'),
      etag: over.ETag!.replace(/"/g, ''),
    });
    expect(row('copies/copy of plain+1.txt')).toMatchObject({
      size: row('plain.txt').size,
      etag: row('plain.txt').etag,
    });
    expect(row('big/multi part+.bin')).toEqual({
      key: 'big/multi part+.bin',
      size: 5 * 1024 * 1024 + 1234,
      etag: done.ETag!.replace(/"/g, ''),
    });

    // the events: one per change, in order, with the reasons S3 gives, raw keys and growing sequencers
    const summary = h.events.map((e) => [e['detail-type'], e.detail.reason, e.detail.object.key]);
    // s3rver deletes the keys of one DeleteObjects in parallel: their events come in any order
    const batch = summary.splice(-3).sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    summary.push(...batch);
    expect(summary).toEqual([
      ...KEYS.map((k) => ['Object Created', 'PutObject', k]),
      ['Object Created', 'PutObject', 'with space.txt'],
      ['Object Created', 'PutObject', 'to-delete-1'],
      ['Object Created', 'PutObject', 'to-delete-2'],
      ['Object Created', 'PutObject', 'to-delete-3'],
      ['Object Created', 'CopyObject', 'copies/copy of plain+1.txt'],
      ['Object Created', 'CompleteMultipartUpload', 'big/multi part+.bin'],
      ['Object Deleted', 'DeleteObject', 'a+b.txt'],
      // (S3 says reason DeleteObjects for these; the emulator says DeleteObject: the index does not read it)
      ...['to-delete-1', 'to-delete-2', 'to-delete-3'].map((k) => ['Object Deleted', expect.any(String), k]),
    ]);
    const seqs = h.events.map((e) => e.detail.object.sequencer as string);
    for (const s of seqs) expect(s).toMatch(/^[0-9A-F]{18}$/);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
    expect(h.log).toEqual([]);
    await stop(h);
  }, 60_000);

  it('answers a write only once it is indexed (read-your-writes)', async () => {
    const h = await start(tempDir());
    for (let i = 0; i < 5; i++) {
      await put(h.client, `k${i}`, `v${i}`);
      // no drain: the put's answer came after its ingest
      expect(indexListing(h.index).map((r) => r.key)).toContain(`k${i}`);
    }
    await h.client.send(new DeleteObjectCommand({ Bucket: 'demo', Key: 'k2' }));
    expect(indexListing(h.index).map((r) => r.key)).toEqual(['k0', 'k1', 'k3', 'k4']);
    await stop(h);
  });

  it('refuses what s3rver refuses (documented gaps): a copy from a source key with +, a key with //', async () => {
    const h = await start(tempDir());
    await put(h.client, 'src+plus.txt', 'x');
    await expect(
      h.client.send(new CopyObjectCommand({ Bucket: 'demo', Key: 'dst.txt', CopySource: 'demo/src%2Bplus.txt' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(put(h.client, 'a//b', 'x')).rejects.toThrow();
    await h.emulator.drain();
    // nothing indexed for the refused requests
    expect(indexListing(h.index)).toEqual(await emulatorListing(h.client));
    expect(indexListing(h.index).map((r) => r.key)).toEqual(['src+plus.txt']);
    await stop(h);
  });

  it('retries a failing delivery: the events arrive later, in order, none lost', async () => {
    let failures = 0;
    const attempts: string[][] = [];
    const h = await start(tempDir(), {
      before: (batch) => {
        attempts.push(batch.map((e) => (e as { detail: { object: { key: string } } }).detail.object.key));
        if (failures < 2) {
          failures++;
          throw new Error(`index unavailable (${failures})`);
        }
      },
    });
    // the requests are answered anyway (after the wait cap), while the deliveries fail
    await Promise.all([put(h.client, 'first', '1'), put(h.client, 'second', '22'), put(h.client, 'third', '333')]);
    await h.client.send(new DeleteObjectCommand({ Bucket: 'demo', Key: 'second' }));
    await h.emulator.drain();
    expect(failures).toBe(2);
    // the failed batches were offered again
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts[1]!.slice(0, attempts[0]!.length)).toEqual(attempts[0]);
    // each event ingested once, in the order of the changes
    const keys = h.events.map((e) => [e['detail-type'], e.detail.object.key]);
    expect(keys.slice(-1)).toEqual([['Object Deleted', 'second']]);
    expect(
      keys
        .slice(0, 3)
        .map((k) => k[1])
        .sort(),
    ).toEqual(['first', 'second', 'third']);
    expect(keys).toHaveLength(4);
    const seqs = h.events.map((e) => e.detail.object.sequencer as string);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
    expect(indexListing(h.index)).toEqual(await emulatorListing(h.client));
    expect(indexListing(h.index).map((r) => r.key)).toEqual(['first', 'third']);
    expect(h.log.some((l) => /not ingested yet \(index unavailable \(1\)\); retrying/.test(l))).toBe(true);
    await stop(h);
  }, 60_000);

  it('close() delivers what was still pending', async () => {
    let fail = true;
    const h = await start(tempDir(), {
      before: () => {
        if (fail) throw new Error('not yet');
      },
    });
    const writes = Promise.all([put(h.client, 'p1', 'a'), put(h.client, 'p2', 'b')]);
    // let the emulator take the requests and fail their first delivery
    while (h.log.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(h.events).toEqual([]);
    fail = false;
    await writes;
    running.splice(running.indexOf(h), 1);
    h.client.destroy();
    await h.emulator.close();
    expect(h.events.map((e) => e.detail.object.key).sort()).toEqual(['p1', 'p2']);
    expect(indexListing(h.index).map((r) => r.key)).toEqual(['p1', 'p2']);
  }, 30_000);

  it('a restart on the same directory keeps the objects, and its sequencers continue above the old ones', async () => {
    const dir = tempDir();
    const index = new S3Index(createEngine());
    const a = await start(dir, { index, buckets: ['demo', 'other'] });
    await put(a.client, 'kept.txt', 'old body');
    await put(a.client, 'kept in other', 'o', 'other');
    await a.emulator.drain();
    const before = await emulatorListing(a.client);
    const oldSeqs = a.events.map((e) => e.detail.object.sequencer as string);
    await stop(a);

    const b = await start(dir, { index, buckets: ['demo', 'other'] });
    expect(await emulatorListing(b.client)).toEqual(before);
    expect(await emulatorListing(b.client, 'other')).toEqual([
      { key: 'kept in other', size: 1, etag: expect.any(String) },
    ]);
    const body = await b.client.send(new GetObjectCommand({ Bucket: 'demo', Key: 'kept.txt' }));
    expect(await body.Body!.transformToString()).toBe('old body');
    // an overwrite after the restart wins in the index (its sequencer is above the old process's)
    const r = await put(b.client, 'kept.txt', 'new, longer body');
    await b.emulator.drain();
    const newSeq = b.events[0]!.detail.object.sequencer as string;
    for (const s of oldSeqs) expect(newSeq > s).toBe(true);
    expect(indexListing(index)).toEqual([
      { key: 'kept.txt', size: Buffer.byteLength('new, longer body'), etag: r.ETag!.replace(/"/g, '') },
    ]);
    expect(indexListing(index)).toEqual(await emulatorListing(b.client));
    await stop(b);
  }, 30_000);
});
