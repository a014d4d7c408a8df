/**
 * Golden fixtures pin the on-disk format: a data directory written by format version 1 (a snapshot with every value
 * type, TTLs, binary keys, a versioned index bucket; a log segment after it; the manifest) must load in every later
 * build into exactly the state recorded beside it. A failure here means an old store would no longer load: fix the
 * reader, never the fixture.
 *
 * `GOLDEN_WRITE=1 npx jest test/persistence/golden` writes a fixture for the current version under a new name
 * (v<N>); an existing fixture is never overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import { List } from '../../src/engine/structures/list';
import { Durable } from '../../src/persistence/durable';
import { SNAPSHOT_FORMAT_VERSION } from '../../src/persistence/format';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { WriteLog } from '../../src/persistence/write-log';
import { createEngine } from '../../src/service/create-engine';
import { INDEX_WEIGHTS } from '../../src/service/persistence';
import { S3Index } from '../../src/service/s3-index';
import { created, deleted, markerCreated } from '../index/harness';
import { dumpEngine } from './dump';

const FIXTURES = path.join(__dirname, '../fixtures/persistence');

/** The state the fixtures hold: fixed clock, fixed content. */
async function writeFixture(dir: string): Promise<Engine> {
  const clock = new ManualClock(1_750_000_000_000);
  const engine = createEngine({ clock });
  const store = await FsBlobStore.open(dir);
  const { durable } = await Durable.open(engine, {
    store,
    weights: INDEX_WEIGHTS,
    writerId: 'golden01',
    now: () => clock.now(),
  });
  const log = new WriteLog(durable, engine).start();
  const ex = (...a: Array<string | Buffer>) => engine.exec(...a);
  ex('SET', 'plain', 'hello');
  ex('SET', 'ttl', 'soon', 'PX', '86400000');
  ex('SET', Buffer.from([0, 0xff, 0x0d, 0x0a]), Buffer.alloc(5000, 9));
  ex('HSET', 'h', 'b', '2', 'a', '1');
  for (let i = 0; i < 300; i++) ex('ZADD', 'lex', '0', `k/${String(i).padStart(4, '0')}`);
  ex('ZADD', 'scored', '1.5', 'x', '-2', 'y', 'inf', 'z');
  engine.dbs[5]!.data.set('list', { type: 'list', v: List.from([Buffer.from('a'), Buffer.from('b')]) });
  engine.dbs[5]!.data.set('set', { type: 'set', v: new Set(['x', 'y']) });
  new S3Index(engine); // (the index commands are in the engine already)
  const events = [
    ...Array.from({ length: 40 }, (_, i) => created('golden-bucket', `p/${i}.txt`, (0x100 + i).toString(16), i * 3)),
    created('golden-bucket', 'v', '500', 5, { versionId: 'v1' }),
    created('golden-bucket', 'v', '501', 6, { versionId: 'v2' }),
    markerCreated('golden-bucket', 'm', '502', 'd1'),
    deleted('golden-bucket', 'p/3.txt', '503'),
  ];
  engine.execute([Buffer.from('S3IDX.INGEST'), Buffer.from(JSON.stringify(events))]);
  await log.flush();
  await log.snapshot();
  // a batch after the snapshot: it is replayed from the log
  clock.advance(1000);
  ex('SET', 'after-snapshot', '1');
  ex('HDEL', 'h', 'a');
  engine.execute([
    Buffer.from('S3IDX.INGEST'),
    Buffer.from(JSON.stringify([created('golden-bucket', 'late', '600', 9)])),
  ]);
  await log.flush();
  log.stop();
  return engine;
}

const versions = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((d) => /^v\d+$/.test(d)) : [];

describe('golden persistence fixtures', () => {
  it('exist for the current format version', () => {
    expect(versions).toContain(`v${SNAPSHOT_FORMAT_VERSION}`);
  });

  it.each(versions)('%s loads into exactly the state recorded beside it', async (v) => {
    const dir = path.join(FIXTURES, v);
    const engine = createEngine({ clock: new ManualClock() });
    // read through a copy: loading must not need to write, and must not change the fixture
    const store = await FsBlobStore.open(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'golden-')));
    for (const b of await (await FsBlobStore.open(path.join(dir, 'store'))).list('')) {
      const got = await (await FsBlobStore.open(path.join(dir, 'store'))).get(b.name);
      if (got !== undefined && got !== 'not-modified') await store.put(b.name, got.body);
    }
    const { restored } = await Durable.open(engine, { store, weights: INDEX_WEIGHTS });
    expect(restored.batchesReplayed).toBeGreaterThan(0);
    expect(restored.keys).toBeGreaterThan(0);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(dumpEngine(engine)))).toEqual(expected);
    const stats = await new S3Index(engine).stats('golden-bucket', 'p/');
    expect(stats).toEqual({ ok: true, value: { objects: 39, bytes: (40 * 39 * 3) / 2 - 9 } });
  });

  if (process.env.GOLDEN_WRITE === '1') {
    it('writes a fixture for this version (GOLDEN_WRITE=1)', async () => {
      const dir = path.join(FIXTURES, `v${SNAPSHOT_FORMAT_VERSION}`);
      if (fs.existsSync(dir)) throw new Error(`${dir} exists: fixtures are never rewritten`);
      const engine = await writeFixture(path.join(dir, 'store'));
      fs.writeFileSync(path.join(dir, 'expected.json'), `${JSON.stringify(dumpEngine(engine), null, 1)}\n`);
    });
  }
});
