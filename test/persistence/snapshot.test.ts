/**
 * The snapshot codec: every engine type, TTL and the S3 index's data survive an encode and a load exactly (the
 * loaded engine's dump equals the original's, and the index answers the same listings); a snapshot taken while
 * writes go on shows the state at its start; damage of any kind is reported, never loaded.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import { List } from '../../src/engine/structures/list';
import { payloadSize } from '../../src/index/payload';
import { notPlainKey } from '../../src/index/plain-keys';
import { CorruptError } from '../../src/persistence/bytes';
import { SNAPSHOT_FORMAT_VERSION } from '../../src/persistence/format';
import { loadSnapshot } from '../../src/persistence/snapshot-decode';
import { SnapshotEncoder } from '../../src/persistence/snapshot-encode';
import { WeightFunctions } from '../../src/persistence/weights';
import { createEngine } from '../../src/service/create-engine';
import { INDEX_WEIGHTS } from '../../src/service/persistence';
import { S3Index } from '../../src/service/s3-index';
import { created, deleted, markerCreated } from '../index/harness';
import { dumpEngine } from './dump';

const weights = new WeightFunctions({ 's3idx.size': payloadSize });

/** Encodes the whole engine into one Buffer (header and every section). */
function encode(engine: Engine, opts: { sectionBytes?: number; deflateLevel?: number } = {}): Buffer {
  const enc = new SnapshotEncoder(engine.dbs, { logSeq: 7, createdAt: 1_700_000_000_000, weights, ...opts });
  const parts = [enc.header()];
  for (let s = enc.next(); s !== undefined; s = enc.next()) parts.push(s);
  return Buffer.concat(parts);
}

/** The bytes in pieces of `piece` (a file read in small reads), as an async source. */
async function* pieces(b: Buffer, piece = 1 << 16): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += piece) yield b.subarray(i, i + piece);
}

async function load(b: Buffer, piece?: number): Promise<Engine> {
  const engine = createEngine({ clock: new ManualClock() });
  await loadSnapshot(pieces(b, piece), engine.dbs, { weights });
  return engine;
}

/** Every type, TTLs, binary keys, values of many chunks, and index buckets; `scale` sizes the large ones. */
function richEngine(scale = 1): Engine {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const ex = (...a: Array<string | number | Buffer>) => engine.exec(...a);
  ex('SET', 'plain', 'hello');
  ex('SET', 'ttl', 'soon', 'PX', '50000');
  ex('SET', Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]), Buffer.alloc(300_000 * scale, 7)); // binary key, multi-chunk value
  ex('SET', 'empty', '');
  ex('HSET', 'h', 'b', '2', 'a', '1', 'c', '');
  ex('PEXPIRE', 'h', '90000');
  for (let i = 0; i < 3000 * scale; i++) ex('HSET', 'bigh', `f${(i * 7919) % (3000 * scale)}`, `v${i}`);
  ex('ZADD', 'lex', '0', 'a', '0', 'ab', '0', 'abc', '0', 'b');
  ex('ZADD', 'scored', '1.5', 'x', '-2', 'y', 'inf', 'z', '-inf', 'w', '0', 'v');
  for (let i = 0; i < 5000 * scale; i++) ex('ZADD', 'bigz', String(i % 17), `member/${String(i).padStart(5, '0')}`);
  for (let i = 0; i < 5000 * scale; i++) ex('ZADD', 'biglex', '0', `photos/2024/${String(i).padStart(6, '0')}.jpg`);
  ex('SELECT', '3');
  engine.dbs[3]!.data.set('in-db-3', { type: 'string', v: Buffer.from('three') });
  engine.dbs[5]!.data.set('list', {
    type: 'list',
    v: List.from([Buffer.from('a'), Buffer.alloc(0), Buffer.from('c')]),
  });
  engine.dbs[5]!.data.set('set', { type: 'set', v: new Set(['x', 'y', '\u00ff']) });
  // the index: plain and versioned buckets, with history and tombstones
  const index = new S3Index(engine);
  const events: unknown[] = [];
  for (let i = 0; i < 2500 * scale; i++)
    events.push(
      created('photos', `2024/${String(i % 50).padStart(2, '0')}/img-${i}.jpg`, (0x1000 + i).toString(16), i * 11),
    );
  for (let i = 0; i < 200; i++) events.push(deleted('photos', `2024/00/img-${i * 50}.jpg`, (0x9000 + i).toString(16)));
  events.push(created('versioned', 'k', '10', 5, { versionId: 'v1' }));
  events.push(created('versioned', 'k', '20', 6, { versionId: 'v2' }));
  events.push(markerCreated('versioned', 'k2', '30', 'm1'));
  index.ingest(events);
  return engine;
}

describe('snapshot codec', () => {
  it('reproduces every type, TTL and the index exactly, at any section size and read size', async () => {
    const engine = richEngine();
    const before = dumpEngine(engine);
    for (const [sectionBytes, deflateLevel, piece] of [
      [1 << 20, 1, 1 << 16],
      [200, 0, 7],
      [4096, 6, 1000],
    ] as const) {
      const loaded = await load(encode(engine, { sectionBytes, deflateLevel }), piece);
      expect(dumpEngine(loaded)).toEqual(before);
      // the loaded index answers as the original does, sizes (derived weights) included
      const a = new S3Index(engine);
      const b = new S3Index(loaded);
      expect(await b.stats('photos', '2024/')).toEqual(await a.stats('photos', '2024/'));
      expect(await b.stats('photos', '2024/')).toMatchObject({ ok: true, value: { objects: 2450 } });
    }
  });

  it("restores the index's keys zset as the index builds it: derived sizes, non-plain keys counted per leaf", async () => {
    const engine = createEngine({ clock: new ManualClock() });
    const index = new S3Index(engine);
    const keys = Array.from(
      { length: 3000 },
      (_, i) => `dir/${i % 7 === 0 ? 'a&b<c>' : i % 11 === 0 ? 'é' : 'k'}-${i}`,
    );
    index.ingest(keys.map((k, i) => created('keys-bucket', k, (0x100 + i).toString(16), i)));
    const enc = new SnapshotEncoder(engine.dbs, { logSeq: 1, createdAt: 1, weights: INDEX_WEIGHTS });
    const parts = [enc.header()];
    for (let s = enc.next(); s !== undefined; s = enc.next()) parts.push(s);
    const loaded = createEngine({ clock: new ManualClock() });
    await loadSnapshot(pieces(Buffer.concat(parts)), loaded.dbs, { weights: INDEX_WEIGHTS });
    const zsets = loaded.dbs.flatMap((db) => [...db.data.values()]).filter((v) => v.type === 'zset');
    expect(zsets.length).toBeGreaterThan(0);
    for (const v of zsets) {
      const z = v.v as import('../../src/engine/structures/sortedset').SortedSet;
      expect(z.memberClassifier).toBe(notPlainKey);
      expect(z.weightOfPayloads).toBe(payloadSize);
      z.checkInvariants(); // every leaf's count of non-plain keys and its weight sum are checked
    }
    const a = await new S3Index(engine).listObjectsV2('keys-bucket', { prefix: 'dir/' });
    const b = await new S3Index(loaded).listObjectsV2('keys-bucket', { prefix: 'dir/' });
    expect(b).toEqual(a);
    expect(await new S3Index(loaded).stats('keys-bucket')).toEqual(await index.stats('keys-bucket'));
  });

  it('reports the header facts, the META section and the sections it read', async () => {
    const engine = richEngine();
    const bytes = encode(engine, { sectionBytes: 4096 });
    const s = await loadSnapshot(pieces(bytes), undefined, { weights });
    expect(s.version).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(s.logSeq).toBe(7);
    expect(s.createdAt).toBe(1_700_000_000_000);
    expect(s.keys).toBe(engine.dbs.reduce((n, d) => n + d.size, 0));
    expect(s.meta.keys).toEqual(engine.dbs.map((d) => d.size));
    expect(s.bytes).toBe(bytes.length);
    expect(s.sections.filter((x) => x.kind === 2).length).toBeGreaterThan(10);
    expect(s.sections.some((x) => x.deflated)).toBe(true);
  });

  it('an empty engine round-trips', async () => {
    const engine = createEngine({ clock: new ManualClock() });
    expect(dumpEngine(await load(encode(engine)))).toEqual(dumpEngine(engine));
  });

  it('a snapshot taken while writes go on shows the state at its start', () => {
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('set', 'del', 'zadd', 'hset', 'flush', 'step'),
            key: fc.constantFrom('a', 'b', 'bigz', 'bigh', 'new1', 'new2', 'plain'),
            n: fc.integer({ min: 0, max: 50 }),
          }),
          { maxLength: 40 },
        ),
        async (ops) => {
          const engine = createEngine({ clock: new ManualClock() });
          engine.exec('SET', 'a', '1');
          engine.exec('SET', 'b', '2');
          engine.exec('SET', 'plain', 'p');
          for (let i = 0; i < 3000; i++) engine.exec('ZADD', 'bigz', '0', `m${i}`);
          for (let i = 0; i < 500; i++) engine.exec('HSET', 'bigh', `f${i}`, `v${i}`);
          const atStart = dumpEngine(engine);
          const enc = new SnapshotEncoder(engine.dbs, { logSeq: 0, createdAt: 0, sectionBytes: 512, weights });
          const parts = [enc.header()];
          for (const o of ops) {
            if (o.op === 'step') {
              for (let i = 0; i < o.n; i++) {
                const s = enc.next();
                if (s !== undefined) parts.push(s);
              }
              continue;
            }
            enc.beforeWrite(0, o.op === 'flush' ? undefined : o.key);
            if (o.op === 'set') engine.exec('SET', o.key, `x${o.n}`);
            else if (o.op === 'del') engine.exec('DEL', o.key);
            else if (o.op === 'zadd') engine.exec('ZADD', o.key, String(o.n), `n${o.n}`);
            else if (o.op === 'hset') engine.exec('HSET', o.key, `g${o.n}`, 'y');
            else engine.exec('FLUSHALL');
          }
          for (let s = enc.next(); s !== undefined; s = enc.next()) parts.push(s);
          const loaded = await load(Buffer.concat(parts), 333);
          expect(dumpEngine(loaded)).toEqual(atStart);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a damaged snapshot is reported, never loaded', () => {
  // small, so that each of the hundreds of damaged copies loads quickly; still many sections and chunks
  const bytes = encode(richEngine(0.1), { sectionBytes: 2048 });

  it.each([
    ['deflated', 1],
    ['stored', 0],
  ])(
    'any flipped byte (%s sections)',
    async (_how, deflateLevel) => {
      const file = encode(richEngine(0.1), { sectionBytes: 2048, deflateLevel });
      // every byte of the file header, of the META, first DATA and END sections' headers, and a sample of the rest:
      // a flip anywhere fails a checksum, a magic or a length
      const at = new Set<number>();
      for (let i = 0; i < 32; i++) at.add(i);
      const sectionStarts: number[] = [];
      for (let p = 32; p < file.length; p += 14 + file.readUInt32BE(p + 6)) sectionStarts.push(p);
      expect(sectionStarts.filter((p) => file[p] === 2 && file[p + 1] === deflateLevel).length).toBeGreaterThan(5);
      for (const p of [sectionStarts[0]!, sectionStarts[1]!, sectionStarts.at(-1)!])
        for (let i = 0; i < 14; i++) at.add(p + i);
      for (let i = 0; i < file.length; i += Math.ceil(file.length / 80)) at.add(i);
      for (const i of at) {
        const bad = Buffer.from(file);
        bad[i] ^= 0x10;
        await expect(loadSnapshot(pieces(bad), undefined, { weights })).rejects.toThrow(CorruptError);
      }
    },
    120_000,
  );

  it('any truncation', async () => {
    for (let cut = 0; cut < bytes.length; cut += cut < 64 ? 1 : Math.ceil(bytes.length / 150)) {
      await expect(loadSnapshot(pieces(bytes.subarray(0, cut)), undefined, { weights })).rejects.toThrow(
        /truncated|unexpected end/,
      );
    }
  });

  it('bytes after the end', async () => {
    await expect(
      loadSnapshot(pieces(Buffer.concat([bytes, Buffer.from([1])])), undefined, { weights }),
    ).rejects.toThrow(/after the end/);
  });

  it('a newer format version, with a message that says what to do', async () => {
    const bad = Buffer.from(bytes);
    bad.writeUInt16BE(SNAPSHOT_FORMAT_VERSION + 1, 8);
    bad.writeUInt32BE(crc32(bad.subarray(0, 28)), 28);
    await expect(loadSnapshot(pieces(bad), undefined, { weights })).rejects.toThrow(
      /format version 2 is newer than this build reads \(1\): upgrade s3-index/,
    );
  });

  it('a weight function this build does not know', async () => {
    await expect(loadSnapshot(pieces(bytes), undefined, {})).rejects.toThrow(/unknown weight function 's3idx.size'/);
  });
});
