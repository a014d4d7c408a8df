/**
 * S3Index as an ObjectIndex: the changes it reports (from the engine's notifications about its database's index keys)
 * and the answers it gives through the interface.
 */
import { ManualClock } from '../../src/engine/clock';
import { newSession } from '../../src/engine/engine';
import { createEngine } from '../../src/service/create-engine';
import type { IndexChange, ObjectIndex } from '../../src/service/object-index';
import { S3Index } from '../../src/service/s3-index';
import { createdEvent, deletedEvent } from '../http/index-fixture';

function setup() {
  const engine = createEngine({ clock: new ManualClock() });
  const session = newSession();
  const exec = (...args: string[]) =>
    engine.execute(
      args.map((a) => Buffer.from(a, 'utf8')),
      session,
    );
  const index = new S3Index(engine);
  const seen: string[] = [];
  const show = (c: IndexChange): string =>
    c.bucket === undefined
      ? 'everything'
      : c.key === undefined
        ? `${c.bucket}: any key`
        : `${c.bucket}: ${Buffer.from(c.key).toString('utf8')}`;
  const stop = index.onChange((c) => seen.push(show(c)));
  /** the distinct changes reported since the last call, in order */
  const changes = (): string[] => {
    const out = [...new Set(seen)];
    seen.length = 0;
    return out;
  };
  return { engine, exec, index, changes, stop };
}

describe('S3Index.onChange', () => {
  it('reports the bucket and object key of each event, whatever index key the write touched', () => {
    const { index, changes } = setup();
    index.ingest([createdEvent('bkt-1', 'photos/é 1.jpg'), createdEvent('bkt-2', 'a')]);
    // a bucket's first object creates its keys (the whole bucket changes) and registers it (a change of everything)
    expect(changes()).toEqual(['bkt-1: any key', 'bkt-1: photos/é 1.jpg', 'everything', 'bkt-2: any key', 'bkt-2: a']);
    index.ingest([createdEvent('bkt-1', 'second'), createdEvent('bkt-1', 'third')]);
    expect(changes()).toEqual(['bkt-1: second', 'bkt-1: third']);
    // a delete leaves a tombstone (in another key of the index): the same object key is reported, and the bucket
    // as a whole when it creates that key
    index.ingest(deletedEvent('bkt-1', 'photos/é 1.jpg'));
    expect(changes()).toEqual(['bkt-1: photos/é 1.jpg', 'bkt-1: any key']);
    index.ingest(deletedEvent('bkt-1', 'second'));
    expect(changes()).toEqual(['bkt-1: second']);
  });

  it('reports a whole bucket for a drop, and everything for the registry, a flush or a swap of its database', () => {
    const { exec, index, changes } = setup();
    index.ingest(createdEvent('bkt-1', 'k'));
    changes();
    exec('S3IDX.DROP', 'bkt-1');
    expect(changes()).toEqual(['bkt-1: any key', 'everything']);
    exec('FLUSHDB');
    expect(changes()).toEqual(['everything']);
    exec('SWAPDB', '0', '3');
    expect(changes()).toEqual(['everything']);
  });

  it('reports nothing for keys outside the index, nor for other databases', () => {
    const { exec, changes } = setup();
    exec('SET', 'cache:user:1', 'x');
    exec('SET', '', 'empty name');
    exec('SELECT', '2');
    exec('S3IDX.INGEST', JSON.stringify(createdEvent('bkt-1', 'k')));
    exec('FLUSHDB');
    expect(changes()).toEqual([]);
  });

  it('stops calling a listener once stopped', () => {
    const { index, changes, stop } = setup();
    stop();
    index.ingest(createdEvent('bkt-1', 'k'));
    expect(changes()).toEqual([]);
  });
});

describe('S3Index as an ObjectIndex', () => {
  it('answers at once through the interface', () => {
    const { index: s3 } = setup();
    const index: ObjectIndex = s3;
    expect(index.ingest(createdEvent('bkt-1', 'a/b', { size: 7 }))).toMatchObject({ applied: 1 });
    expect(index.bucketExists('bkt-1')).toBe(true);
    expect(index.bucketExists('bkt-2')).toBe(false);
    expect(index.listBuckets()).toEqual(['bkt-1']);
    expect(index.stats('bkt-1', 'a/')).toEqual({ ok: true, value: { objects: 1, bytes: 7 } });
    const rows: string[] = [];
    const raw = index.listRaw('bkt-1', { delimiter: '/', maxKeys: 10 }, (buf, ks, ke) => {
      rows.push(buf.toString('utf8', ks, ke));
      return 0;
    });
    expect(raw).toMatchObject({ ok: true, value: { prefixes: [Buffer.from('a/')], truncated: false } });
    expect(index.listRaw('bkt-1', { maxKeys: 10 }, (buf, ks, ke) => buf.toString('utf8', ks, ke))).toMatchObject({
      ok: true,
      value: { keys: ['a/b'] },
    });
    expect(index.listRaw('bkt-1', { maxKeys: -1 }, () => 0)).toMatchObject({
      ok: false,
      error: { code: 'InvalidArgument' },
    });
    expect(index.listRaw('bkt-2', { maxKeys: 1 }, () => 0)).toMatchObject({
      ok: false,
      error: { code: 'NoSuchBucket' },
    });
  });
});
