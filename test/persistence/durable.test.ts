/**
 * Durable + WriteLog: what is flushed survives a restart exactly (snapshot + log replay), writers are fenced off
 * each other, a damaged log tail is reported and the state before it kept, readers refresh, garbage goes, and
 * store failures are retried without losing or reordering batches.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import { payloadSize } from '../../src/index/payload';
import { type BlobStore, StoreError } from '../../src/persistence/blob-store';
import { CorruptError } from '../../src/persistence/bytes';
import { CommitConflict, Durable } from '../../src/persistence/durable';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { MANIFEST } from '../../src/persistence/manifest';
import { MemoryBlobStore } from '../../src/persistence/memory-store';
import { WeightFunctions } from '../../src/persistence/weights';
import { WriteLog } from '../../src/persistence/write-log';
import { createEngine } from '../../src/service/create-engine';
import { EVERYTHING } from '../../src/service/object-index';
import { S3Index } from '../../src/service/s3-index';
import { plain } from '../helpers/engine';
import { created, deleted } from '../index/harness';
import { dumpEngine } from './dump';
import { FaultyStore } from './faulty-store';

const weights = new WeightFunctions({ 's3idx.size': payloadSize });

interface Node {
  engine: Engine;
  clock: ManualClock;
  durable: Durable;
  log: WriteLog;
  lines: string[];
}

async function openNode(store: BlobStore, opts: { writerId?: string } = {}): Promise<Node> {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const lines: string[] = [];
  const { durable } = await Durable.open(engine, {
    store,
    weights,
    writerId: opts.writerId,
    log: (l) => lines.push(l),
  });
  const log = new WriteLog(durable, engine, { log: (l) => lines.push(l), maxBackoffMs: 20 }).start();
  return { engine, clock, durable, log, lines };
}

const ingestCmd = (events: unknown[]) => ['S3IDX.INGEST', JSON.stringify(events)];

/** Runs S3IDX.INGEST and checks every event was applied (a rejected event would make the test prove nothing). */
function ingest(engine: Engine, events: unknown[]): void {
  const r = plain(engine.execute(ingestCmd(events).map((s) => Buffer.from(s))));
  expect(r).toEqual([
    ['applied', events.length],
    ['stale', 0],
    ['duplicate', 0],
    ['ignored', 0],
    ['rejected', []],
  ]);
}

afterEach(() => jest.useRealTimers());

describe('Durable and WriteLog', () => {
  it('a restart restores exactly what was flushed: commands, TTLs, index batches, several databases', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store);
    a.engine.exec('SET', 'k', 'v');
    a.engine.exec('SET', 'ttl', 'x', 'EX', '100'); // relative: the replay must use the time it ran at
    a.clock.advance(5000);
    a.engine.exec('HSET', 'h', 'f', '1');
    a.engine.execute(
      ['SET', 'in2', 'two'].map((s) => Buffer.from(s)),
      { id: 999, db: 2, resp: 2 },
    );
    a.engine.execute(
      ingestCmd([created('bkt', 'x/1', '10', 5), created('bkt', 'x/2', '11', 7)]).map((s) => Buffer.from(s)),
    );
    a.engine.exec('GET', 'k'); // reads are not logged
    await a.log.flush();
    expect(a.durable.committedSeq).toBe(2); // two times → two batches
    a.log.stop();

    const b = await openNode(store);
    expect(dumpEngine(b.engine)).toEqual(dumpEngine(a.engine));
    expect(b.engine.dbs[0]!.expires.get('ttl')).toBe(1_700_000_000_000 + 100_000);
    expect(await new S3Index(b.engine).stats('bkt', 'x/')).toEqual({ ok: true, value: { objects: 2, bytes: 12 } });
  });

  it('a snapshot replaces the segments it covers; writes after it replay on top', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store);
    for (let i = 0; i < 200; i++) {
      a.engine.exec('ZADD', 'z', String(i), `m${i}`);
      a.clock.advance(1);
    }
    await a.log.flush();
    expect(a.durable.current.segments.length).toBeGreaterThan(0);
    const ref = await a.log.snapshot();
    expect(ref?.logSeq).toBe(200);
    expect(a.durable.current.segments).toEqual([]);
    a.engine.exec('ZREM', 'z', 'm5');
    a.engine.exec('SET', 'after', '1');
    await a.log.flush();
    const b = await openNode(store);
    expect(dumpEngine(b.engine)).toEqual(dumpEngine(a.engine));
    // nothing to do when nothing was written since
    await a.log.snapshot();
    expect(await a.log.snapshot()).toBeUndefined();
  });

  it('a snapshot taken while writes go on is the state at its start; the writes meanwhile come from the log', async () => {
    const inner = new MemoryBlobStore();
    const store = new FaultyStore(inner);
    const a = await openNode(store);
    for (let i = 0; i < 3000; i++) a.engine.exec('HSET', 'big', `f${i}`, 'v');
    a.engine.exec('SET', 's', 'before');
    await a.log.flush();
    // the snapshot's upload is slow, so the writes below happen while it is being written
    store.rules.push({ op: 'put', name: /^snapshots\//, delayMs: 50 });
    const snap = a.log.snapshot();
    a.engine.exec('SET', 's', 'during');
    a.engine.exec('HDEL', 'big', 'f7');
    a.engine.exec('SET', 'new', '1');
    a.clock.advance(1);
    a.engine.exec('DEL', 'new');
    await snap;
    await a.log.flush();
    const b = await openNode(store);
    expect(dumpEngine(b.engine)).toEqual(dumpEngine(a.engine));
  });

  it('of two writers, the second to commit learns it lost, and nothing it flushed is acknowledged', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store, { writerId: 'aaaa' });
    const b = await openNode(store, { writerId: 'bbbb' });
    a.engine.exec('SET', 'x', 'from a');
    await a.log.flush();
    b.engine.exec('SET', 'x', 'from b');
    await expect(b.log.flush()).rejects.toThrow(CommitConflict);
    expect(b.lines.join('\n')).toMatch(/another writer committed to the store first/);
    // fenced: later flushes fail at once
    b.engine.exec('SET', 'y', '1');
    await expect(b.log.flush()).rejects.toThrow(CommitConflict);
    const c = await openNode(store);
    expect(c.engine.exec('GET', 'x')).toEqual({ t: 'bulk', v: Buffer.from('from a') });
    expect(c.engine.exec('GET', 'y')).toEqual({ t: 'null' });
  });

  it('a damaged log tail is reported; the state before it is restored and later commits continue from there', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store);
    for (let i = 0; i < 5; i++) {
      a.engine.exec('SET', `k${i}`, String(i));
      a.clock.advance(1);
      await a.log.flush();
    }
    const segs = a.durable.current.segments;
    const last = segs[segs.length - 1]!;
    const got = (await store.get(last.name)) as { body: Buffer };
    const bad = Buffer.from(got.body);
    bad[bad.length - 2] ^= 0xff;
    await store.put(last.name, bad);
    const b = await openNode(store);
    expect(b.lines.join('\n')).toMatch(/log damaged: .*batch checksum mismatch.*restored up to batch 4/);
    expect(b.engine.exec('GET', 'k3')).toEqual({ t: 'bulk', v: Buffer.from('3') });
    expect(b.engine.exec('GET', 'k4')).toEqual({ t: 'null' });
    b.engine.exec('SET', 'k9', '9');
    await b.log.flush();
    const c = await openNode(store);
    expect(dumpEngine(c.engine)).toEqual(dumpEngine(b.engine));
  });

  it('a reader refreshes with a conditional GET and applies only the new batches', async () => {
    const store = new FaultyStore(new MemoryBlobStore());
    const w = await openNode(store);
    w.engine.exec('SET', 'a', '1');
    await w.log.flush();
    const r = await openNode(store);
    r.log.stop();
    expect(await r.durable.refresh(r.engine)).toBe('unchanged');
    w.engine.exec('SET', 'b', '2');
    ingest(w.engine, [created('bkt', 'o', '1', 3)]);
    await w.log.flush();
    store.calls = [];
    expect(await r.durable.refresh(r.engine)).toBe('updated');
    expect(dumpEngine(r.engine)).toEqual(dumpEngine(w.engine));
    // the manifest and the one new segment, nothing else
    expect(store.calls.map((c) => c.name)).toEqual([MANIFEST, w.durable.current.segments.at(-1)!.name]);
    // once a snapshot has replaced segments the reader has not seen, it must reload
    w.engine.exec('SET', 'c', '3');
    await w.log.flush();
    await w.log.snapshot();
    expect(await r.durable.refresh(r.engine)).toBe('reload');
  });

  it('garbage: blobs no manifest names go once older than the grace period', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store);
    a.engine.exec('SET', 'a', '1');
    await a.log.flush();
    await a.log.snapshot();
    a.engine.exec('SET', 'b', '1');
    await a.log.flush();
    await a.log.snapshot();
    const before = (await store.list('')).map((b) => b.name);
    expect(await a.durable.collectGarbage(60_000)).toBe(0); // all young
    expect(await a.durable.collectGarbage(-1)).toBe(before.length - 2); // all but the manifest and the snapshot
    expect((await store.list('')).map((b) => b.name)).toEqual([MANIFEST, a.durable.current.snapshot!.name].sort());
    const b = await openNode(store);
    expect(dumpEngine(b.engine)).toEqual(dumpEngine(a.engine));
  });

  it('a store that fails is retried; batches stay in order and the flush resolves once they are durable', async () => {
    const store = new FaultyStore(new MemoryBlobStore());
    const a = await openNode(store);
    store.rules.push({ op: 'put', name: /^log\//, times: 3, error: () => new StoreError('503 SlowDown') });
    store.rules.push({ op: 'put', name: /^manifest/, times: 2, error: () => new StoreError('500 InternalError') });
    a.engine.exec('SET', 'a', '1');
    const f1 = a.log.flush();
    a.clock.advance(1);
    a.engine.exec('SET', 'a', '2');
    const f2 = a.log.flush();
    await Promise.all([f1, f2]);
    expect(a.lines.some((l) => /commit failed \(1×\), retrying: 503 SlowDown/.test(l))).toBe(true);
    const b = await openNode(store);
    expect(b.engine.exec('GET', 'a')).toEqual({ t: 'bulk', v: Buffer.from('2') });
  });

  it("a flush made in the continuation of the previous one's resolution is committed at once, not at the next timer tick", async () => {
    const store = new MemoryBlobStore();
    const { durable } = await Durable.open(createEngine({ clock: new ManualClock() }), { store, weights });
    const engine = createEngine({ clock: new ManualClock() });
    // policy 'no': the timer ticks every 30 s, so a flush left to it would miss the deadline below
    const log = new WriteLog(durable, engine, { policy: 'no' }).start();
    const chain = (async () => {
      for (let i = 0; i < 5; i++) {
        engine.exec('SET', 'k', String(i));
        await log.flush(); // the next write and flush run in this resolution's continuation
      }
    })();
    const late = new Promise<string>((r) => setTimeout(() => r('stalled'), 5000).unref());
    expect(await Promise.race([chain.then(() => 'done'), late])).toBe('done');
    log.stop();
    const b = await openNode(store);
    expect(b.engine.exec('GET', 'k')).toEqual({ t: 'bulk', v: Buffer.from('4') });
  });

  it('a manifest put whose response is lost: the retry finds its own commit and succeeds', async () => {
    const store = new FaultyStore(new MemoryBlobStore());
    const a = await openNode(store);
    a.engine.exec('SET', 'a', '1');
    await a.log.flush();
    store.rules.push({ op: 'put', name: /^manifest/, times: 1, when: 'after', error: () => new StoreError('timeout') });
    a.engine.exec('SET', 'a', '2');
    await a.log.flush();
    a.engine.exec('SET', 'a', '3');
    await a.log.flush();
    const b = await openNode(store);
    expect(b.engine.exec('GET', 'a')).toEqual({ t: 'bulk', v: Buffer.from('3') });
  });

  it('a store down for longer than the acknowledgement timeout: the flush rejects, the batches stay queued', async () => {
    const store = new FaultyStore(new MemoryBlobStore());
    const a = await openNode(store);
    a.log.stop();
    const log = new WriteLog(a.durable, a.engine, { maxBackoffMs: 10, ackTimeoutMs: 100 }).start();
    store.rules.push({
      op: 'put',
      name: /^log\//,
      times: 1_000_000,
      error: () => new StoreError('connect ECONNREFUSED'),
    });
    a.engine.exec('SET', 'k', 'v');
    await expect(log.flush()).rejects.toThrow(/has not accepted the log for too long \(connect ECONNREFUSED\)/);
    expect(log.lastCommitError).toBe('connect ECONNREFUSED');
    // the store comes back: the queued batch is committed, and the next flush resolves
    store.rules = [];
    await log.flush();
    log.stop();
    const b = await openNode(store);
    expect(b.engine.exec('GET', 'k')).toEqual({ t: 'bulk', v: Buffer.from('v') });
  });

  it('deletes in index batches replay too (tombstones keep their ingest time)', async () => {
    const store = new MemoryBlobStore();
    const a = await openNode(store);
    ingest(a.engine, [created('bkt', 'k', '10', 1)]);
    a.clock.advance(1000);
    ingest(a.engine, [deleted('bkt', 'k', '20')]);
    await a.log.flush();
    const b = await openNode(store);
    expect(dumpEngine(b.engine)).toEqual(dumpEngine(a.engine));
  });
});

describe('Durable.reload: a load into new databases, swapped in whole', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const dirStore = async (): Promise<FsBlobStore> => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-reload-'));
    dirs.push(d);
    return FsBlobStore.open(d);
  };

  it("after another writer's compaction, a reload gives exactly that writer's state; the old one is served meanwhile", async () => {
    const dir = await dirStore();
    const w = await openNode(dir, { writerId: 'wwww' });
    w.engine.exec('SET', 'a', 'old');
    w.engine.exec('SET', 'gone', 'soon');
    ingest(w.engine, [created('bkt', 'x/1', '10', 5)]);
    await w.log.flush();
    const store = new FaultyStore(dir);
    const r = await openNode(store, { writerId: 'rrrr' });
    r.log.stop();
    const before = dumpEngine(r.engine);
    // the writer goes on and compacts: the segments the reader would need are gone from the manifest
    w.clock.advance(1000);
    w.engine.exec('SET', 'a', 'new');
    w.engine.exec('DEL', 'gone');
    w.engine.execute(
      ['SET', 'in3', 'three'].map((s) => Buffer.from(s)),
      { id: 998, db: 3, resp: 2 },
    );
    ingest(w.engine, [created('bkt', 'x/2', '11', 7), deleted('bkt', 'x/1', '12')]);
    await w.log.flush();
    await w.log.snapshot();
    w.clock.advance(1000);
    w.engine.exec('HSET', 'h', 'f', 'after the snapshot');
    await w.log.flush();
    expect(await r.durable.refresh(r.engine)).toBe('reload');

    const changes: unknown[] = [];
    new S3Index(r.engine).onChange((c) => changes.push(c));
    const db0 = r.engine.dbs[0];
    // a slow store: once the snapshot is loaded and while the log is read, the reader still serves its state as it
    // was (it would show the new snapshot without the log, were the snapshot decoded into the live databases)
    store.rules.push({ op: 'get', name: /^log\//, delayMs: 100 });
    store.calls = [];
    const reloading = r.durable.reload(r.engine);
    while (!store.calls.some((c) => c.name.startsWith('log/'))) await new Promise((res) => setTimeout(res, 1));
    expect(dumpEngine(r.engine)).toEqual(before);
    expect(r.engine.exec('GET', 'a')).toEqual({ t: 'bulk', v: Buffer.from('old') });
    const result = await reloading;

    expect(dumpEngine(r.engine)).toEqual(dumpEngine(w.engine));
    expect(r.engine.dbs[0]).not.toBe(db0);
    expect(r.engine.dbs.map((d) => d.id)).toEqual(r.engine.dbs.map((_, i) => i));
    expect(result).toMatchObject({ seq: w.durable.appliedSeq, batchesReplayed: 1 });
    expect(r.durable.appliedSeq).toBe(w.durable.committedSeq);
    // the index's listeners learned that everything may have changed
    expect(changes).toContainEqual(EVERYTHING);
    expect(await new S3Index(r.engine).stats('bkt', 'x/')).toEqual({ ok: true, value: { objects: 1, bytes: 7 } });
    // and the reader follows on from there
    expect(await r.durable.refresh(r.engine)).toBe('unchanged');
    w.engine.exec('SET', 'later', '1');
    await w.log.flush();
    expect(await r.durable.refresh(r.engine)).toBe('updated');
    expect(dumpEngine(r.engine)).toEqual(dumpEngine(w.engine));
  });

  it('a damaged snapshot during a reload: the error is reported and the engine keeps its state, whole', async () => {
    const store = await dirStore();
    const w = await openNode(store, { writerId: 'wwww' });
    w.engine.exec('SET', 'a', 'old');
    await w.log.flush();
    await w.log.snapshot();
    const r = await openNode(store, { writerId: 'rrrr' });
    r.log.stop();
    const before = dumpEngine(r.engine);
    const seq = r.durable.appliedSeq;
    // several sections (~1 MB each), so that the damage is found after some of them were loaded
    for (let i = 0; i < 4000; i++) w.engine.exec('SET', `big${i}`, randomBytes(400).toString('hex'));
    w.engine.exec('SET', 'a', 'new');
    await w.log.flush();
    const ref = await w.log.snapshot();
    const file = path.join(store.root, ...ref!.name.split('/'));
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length * 0.75)] ^= 0xff;
    // a torn file: found once its data sections were decoded (into the new databases, not the engine's)
    const torn = good.subarray(0, good.length - 1);
    for (const [damage, bytes] of [
      ['a flipped byte', flipped],
      ['a torn end', torn],
    ] as const) {
      fs.writeFileSync(file, bytes);
      expect(await r.durable.refresh(r.engine)).toBe('reload');
      await expect(r.durable.reload(r.engine)).rejects.toThrow(CorruptError);
      expect([damage, dumpEngine(r.engine)]).toEqual([damage, before]);
      expect(r.durable.appliedSeq).toBe(seq);
      expect(r.engine.exec('GET', 'a')).toEqual({ t: 'bulk', v: Buffer.from('old') });
      expect(r.engine.exec('DBSIZE')).toEqual({ t: 'int', v: 1 });
    }
    // repaired, the reload goes through
    fs.writeFileSync(file, good);
    await r.durable.reload(r.engine);
    expect(dumpEngine(r.engine)).toEqual(dumpEngine(w.engine));
  });

  it('a reload is refused while a snapshot is being written', async () => {
    const store = new FaultyStore(new MemoryBlobStore());
    const a = await openNode(store);
    a.engine.exec('SET', 'a', '1');
    await a.log.flush();
    store.rules.push({ op: 'put', name: /^snapshots\//, delayMs: 30 });
    const snap = a.log.snapshot();
    await expect(a.durable.reload(a.engine)).rejects.toThrow(/while a snapshot is being written/);
    await snap;
  });
});
