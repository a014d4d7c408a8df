import { payloadSize } from '../../src/index/payload';
import { created, deleted, indexHarness, sampleEvent } from './harness';

describe('S3IDX.* commands', () => {
  it('ingests sample events and answers HEAD / LIST / STATS / BUCKETS', () => {
    const { exec, obj } = indexHarness();
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-object-created.json')))).toEqual({
      applied: 1,
      stale: 0,
      duplicate: 0,
      ignored: 0,
      rejected: [],
    });
    expect(exec('s3idx.buckets')).toEqual(['example-bucket']);
    expect(obj('s3idx.head', 'example-bucket', 'reports/2024/May summary.pdf')).toEqual({
      key: 'reports/2024/May summary.pdf',
      size: 5242880,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'last-modified': '2024-05-01T12:00:00.000Z',
      'storage-class': 'STANDARD',
      sequencer: '00617F08299329D189',
    });
    expect(exec('s3idx.head', 'example-bucket', 'nope')).toBeNull();
    expect(obj('s3idx.stats', 'example-bucket')).toEqual({ objects: 1, bytes: 5242880 });
    expect(obj('s3idx.stats', 'example-bucket', 'reports/2024/')).toEqual({ objects: 1, bytes: 5242880 });
    expect(obj('s3idx.stats', 'example-bucket', 'x')).toEqual({ objects: 0, bytes: 0 });
    const page = obj('s3idx.list', 'example-bucket', 'DELIMITER', '/');
    expect(page).toEqual({ objects: [], prefixes: ['reports/'], count: 1, truncated: 0, next: null });
    // the zset is a plain zset for the zset commands
    expect(exec('zcard', 's3idx:{example-bucket}:keys')).toBe(1);
    expect(String(exec('zscore', 's3idx:{example-bucket}:keys', 'reports/2024/May summary.pdf'))).toBe('0');
  });

  it('COPY of a keys zset gives an index whose weights still derive from the metadata', () => {
    // copying into another bucket's index is refused in the service (index keys are written only by S3IDX.*)
    expect(indexHarness().exec('copy', 's3idx:{example-bucket}:keys', 's3idx:{copy-bucket}:keys')).toEqual({
      error: expect.stringMatching(/^NOPERM 's3idx:\{copy-bucket\}:keys'/),
    });
    const { exec, obj, engine } = indexHarness({ withoutKeyGuard: true });
    exec('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-object-created.json')));
    expect(exec('copy', 's3idx:{example-bucket}:keys', 's3idx:{copy-bucket}:keys')).toBe(1);
    const copied = engine.dbs[0]!.lookup('s3idx:{copy-bucket}:keys', 0);
    expect(copied?.type === 'zset' && copied.v.weightOfPayloads).toBe(payloadSize);
    expect(obj('s3idx.stats', 'copy-bucket')).toEqual({ objects: 1, bytes: 5242880 });
  });

  it('applies metadata events without resurrecting and deletes with tombstones', () => {
    const { exec, obj } = indexHarness();
    exec('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-object-created.json')));
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-storage-class-changed.json'))).applied).toBe(1);
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-restore-completed.json'))).applied).toBe(1);
    const h = obj('s3idx.head', 'example-bucket', 'reports/2024/May summary.pdf');
    expect(h['storage-class']).toBe('GLACIER');
    expect(h.restore).toBe('restored');
    expect(h['restore-expiry']).toBe('2024-06-10T00:00:00.000Z');
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-object-deleted.json'))).applied).toBe(1);
    expect(exec('s3idx.head', 'example-bucket', 'reports/2024/May summary.pdf')).toBeNull();
    // late metadata event and late create: nothing comes back
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-storage-class-changed.json'))).ignored).toBe(1);
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('eventbridge-object-created.json'))).stale).toBe(1);
    expect(exec('s3idx.head', 'example-bucket', 'reports/2024/May summary.pdf')).toBeNull();
    expect(exec('exists', 's3idx:{example-bucket}:keys')).toBe(0);
    expect(exec('hlen', 's3idx:{example-bucket}:tomb')).toBe(1);
    expect(exec('s3idx.buckets')).toEqual(['example-bucket']);
    expect(obj('s3idx.stats', 'example-bucket')).toEqual({ objects: 0, bytes: 0 });
  });

  it('handles an SQS batch, a classic notification with an encoded key, SNS and the test event', () => {
    const { exec, obj } = indexHarness();
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('sqs-batch.json')))).toMatchObject({ applied: 3 });
    expect(obj('s3idx.list', 'example-bucket').objects).toEqual([
      [
        ['key', 'photos/2024/IMG 0002.jpg'],
        ['size', 102400],
        ['etag', '92eb5ffee6ae2fec3ad71c777531578f'],
        ['last-modified', '2024-05-01T12:00:00.000Z'],
        ['storage-class', 'STANDARD'],
        ['sequencer', '00617F0830000000AB'],
      ],
    ]);
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('s3-notification-encoded-key.json'))).applied).toBe(1);
    expect(exec('s3idx.head', 'example-bucket', 'shared/draft v2/résumé + notes@home.pdf')).not.toBeNull();
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('s3-test-event.json'))).ignored).toBe(1);
    expect(obj('s3idx.ingest', JSON.stringify(sampleEvent('sqs-sns-notification.json'))).applied).toBe(1);
    expect(exec('s3idx.head', 'example-bucket', 'shared/draft v2/résumé + notes@home.pdf')).toBeNull();
  });

  it('rejects malformed input per event with a reason', () => {
    const { obj } = indexHarness();
    const r = obj('s3idx.ingest', JSON.stringify([created('b-1', 'a', '01'), { nope: 1 }, created('B!', 'a', '01')]));
    expect(r.applied).toBe(1);
    expect(r.rejected).toEqual([
      [1, 'unrecognised event shape'],
      [2, 'missing or invalid detail.bucket.name'],
    ]);
    expect(obj('s3idx.ingest', '{not json').rejected).toEqual([[0, expect.stringMatching(/^invalid JSON/)]]);
  });

  it('pages with MAXKEYS and TOKEN, validates options', () => {
    const { exec, obj } = indexHarness();
    const events = ['a', 'b/1', 'b/2', 'c', 'd/x/y'].map((k, i) => created('bk1', k, `0${i + 1}`, 10));
    exec('s3idx.ingest', JSON.stringify(events));
    const p1 = obj('s3idx.list', 'bk1', 'delimiter', '/', 'maxkeys', '2');
    expect(p1.prefixes).toEqual(['b/']);
    expect(p1.count).toBe(2);
    expect(p1.truncated).toBe(1);
    const p2 = obj('s3idx.list', 'bk1', 'DELIMITER', '/', 'MAXKEYS', '2', 'TOKEN', p1.next as string);
    expect((p2.objects as unknown[][]).map((o) => (o[0] as string[])[1])).toEqual(['c']);
    expect(p2.prefixes).toEqual(['d/']);
    expect(p2.truncated).toBe(0);
    expect(obj('s3idx.list', 'bk1', 'PREFIX', 'b/', 'STARTAFTER', 'b/1').count).toBe(1);
    expect(exec('s3idx.list', 'bk1', 'PREFIX')).toEqual({ error: 'ERR syntax error' });
    expect(exec('s3idx.list', 'bk1', 'BOGUS', 'x')).toEqual({ error: 'ERR syntax error' });
    expect(exec('s3idx.list', 'bk1', 'MAXKEYS', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('s3idx.list', 'bk1', 'TOKEN', '')).toEqual({
      error: 'ERR The continuation token provided is incorrect',
    });
    expect(exec('s3idx.list', 'nosuch')).toEqual({ error: 'ERR no such bucket' });
    expect(exec('s3idx.stats', 'nosuch')).toEqual({ error: 'ERR no such bucket' });
    expect(exec('s3idx.stats', 'bk1', 'a', 'b')).toEqual({
      error: "ERR wrong number of arguments for 's3idx.stats' command",
    });
    expect(exec('s3idx.ingest', JSON.stringify(deleted('bk1', 'a', '09'))));
    expect(obj('s3idx.stats', 'bk1')).toEqual({ objects: 4, bytes: 40 });
  });

  it('keeps byte totals (weights derived from the metadata) when clients re-score the keys zset and empty it', () => {
    const { exec, obj } = indexHarness({ withoutKeyGuard: true });
    const keys = 's3idx:{w-bucket}:keys';
    const ingest = (...events: unknown[]) => obj('s3idx.ingest', JSON.stringify(events));
    ingest(
      created('w-bucket', 'a/1', '01', 100),
      created('w-bucket', 'a/2', '01', 20),
      created('w-bucket', 'b/1', '01', 3),
    );
    expect(obj('s3idx.stats', 'w-bucket')).toEqual({ objects: 3, bytes: 123 });
    // another score turns the zset into its two-tree form: the weights move over with the members (prefix ranges are
    // lex ranges, exact only while every score is 0, as in Redis: the whole bucket is checked meanwhile)
    expect(exec('zadd', keys, '5', 'a/2')).toBe(0);
    expect(obj('s3idx.stats', 'w-bucket')).toEqual({ objects: 3, bytes: 123 });
    ingest(created('w-bucket', 'a/3', '01', 1000), created('w-bucket', 'a/1', '02', 7));
    expect(obj('s3idx.stats', 'w-bucket')).toEqual({ objects: 4, bytes: 1030 });
    // emptied by a client, then filled again by events: back to the derived form, still exact
    expect(exec('zrem', keys, 'a/1', 'a/2', 'a/3', 'b/1')).toBe(4);
    ingest(created('w-bucket', 'c/1', '03', 40), created('w-bucket', 'c/2', '03', 2));
    expect(obj('s3idx.stats', 'w-bucket', 'c/')).toEqual({ objects: 2, bytes: 42 });
    // a member added with ZADD has no metadata and weighs nothing
    expect(exec('zadd', keys, '0', 'c/0')).toBe(1);
    expect(obj('s3idx.stats', 'w-bucket', 'c/')).toEqual({ objects: 3, bytes: 42 });
  });

  it('reports WRONGTYPE when an index key was overwritten', () => {
    const { exec, obj } = indexHarness({ withoutKeyGuard: true });
    exec('set', 's3idx:{bk2}:keys', 'x');
    expect(exec('s3idx.list', 'bk2')).toEqual({
      error: 'WRONGTYPE Operation against a key holding the wrong kind of value',
    });
    const r = obj('s3idx.ingest', JSON.stringify(created('bk2', 'a', '01')));
    expect(r.rejected).toEqual([[0, 'WRONGTYPE s3idx:{bk2}:keys holds the wrong kind of value']]);
  });
});
