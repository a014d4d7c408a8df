/**
 * S3IDX.BACKFILL: crawled rows merged through the engine (the rule itself: listed-rows.test.ts). A crawl that runs
 * while events arrive ends with the bucket as S3 has it.
 */
import { created, deleted, ebEvent, indexHarness } from './harness';

const ETAG = 'b1946ac92492d2347c6235b4d2611184';
const t = (iso: string) => String(Date.parse(iso));

describe('S3IDX.BACKFILL', () => {
  it('merges a crawl with the events that arrive while it runs', () => {
    const { exec, obj, clock } = indexHarness();
    // known from events before the crawl: a (put), gone (put, then deleted)
    exec('s3idx.ingest', JSON.stringify(created('bkt', 'a', '0A', 1)));
    exec('s3idx.ingest', JSON.stringify(created('bkt', 'gone', '0A', 1)));
    exec('s3idx.ingest', JSON.stringify(deleted('bkt', 'gone', '0B')));
    clock.advance(1000);
    const crawlStart = String(clock.now());
    clock.advance(1000);
    // while the crawl runs, 'late' is deleted (the crawl read it before)
    exec('s3idx.ingest', JSON.stringify(created('bkt', 'late', '0A', 1)));
    exec('s3idx.ingest', JSON.stringify(deleted('bkt', 'late', '0B')));
    const rows = [
      ['a', '1', ETAG, t('2024-05-01T12:00:00Z'), 'STANDARD'], // what the events said: a duplicate
      ['late', '1', ETAG, t('2024-05-01T12:00:00Z'), 'STANDARD'], // deleted meanwhile: stale
      ['new folder/ü+x.txt', '42', `"${ETAG}"`, t('2024-05-01T12:30:00Z'), 'GLACIER'], // never told of: applied
    ].flat();
    expect(obj('s3idx.backfill', 'bkt', crawlStart, ...rows)).toEqual({
      applied: 1,
      stale: 1,
      duplicate: 1,
      ignored: 0,
    });
    expect(exec('zrangebylex', 's3idx:{bkt}:keys', '-', '+')).toEqual(['a', 'new folder/ü+x.txt']);
    expect(obj('s3idx.head', 'bkt', 'new folder/ü+x.txt')).toEqual({
      key: 'new folder/ü+x.txt',
      size: 42,
      etag: ETAG,
      'last-modified': '2024-05-01T12:30:00.000Z',
      'storage-class': 'GLACIER',
    });
    expect(obj('s3idx.stats', 'bkt')).toEqual({ objects: 2, bytes: 43 });
    // a late event of an older write of it is stale; the event of the crawled write, delivered at last, takes over
    const key = 'new folder/ü+x.txt';
    expect(obj('s3idx.ingest', JSON.stringify(created('bkt', key, '0C', 7))).stale).toBe(1);
    const own = ebEvent(
      'Object Created',
      'bkt',
      { key, size: 42, etag: ETAG, sequencer: '0D' },
      {},
      '2024-05-01T12:30:00Z',
    );
    expect(obj('s3idx.ingest', JSON.stringify(own)).applied).toBe(1);
    expect(obj('s3idx.head', 'bkt', key).sequencer).toBe('0D');
  });

  it('checks every row before applying any, with Redis error strings', () => {
    const { exec } = indexHarness();
    expect(exec('s3idx.backfill', 'bkt', '0', 'k', '1', ETAG, '0')).toEqual({
      error: "ERR wrong number of arguments for 's3idx.backfill' command",
    });
    expect(exec('s3idx.backfill', 'bkt', '0', 'k', '1', ETAG, '0', 'STANDARD', 'extra')).toEqual({
      error: 'ERR syntax error',
    });
    expect(exec('s3idx.backfill', 'bkt', 'soon', 'k', '1', ETAG, '0', 'STANDARD')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(
      exec('s3idx.backfill', 'bkt', '0', 'k', '1', ETAG, '0', 'STANDARD', 'k2', '-1', ETAG, '0', 'STANDARD'),
    ).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('s3idx.backfill', 'bkt', '0', 'k', '1', ETAG, '0', 'not a class')).toEqual({
      error: 'ERR invalid storage class',
    });
    expect(exec('exists', 's3idx:{bkt}:keys')).toBe(0);
  });
});
