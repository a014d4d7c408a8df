import { type EventFields, EventParser } from '../../src/ingest/event-parser';
import { parseEventBridge } from '../../src/ingest/eventbridge';
import { parseNotificationRecord } from '../../src/ingest/notification';
import { parseInput, parseInto } from '../../src/ingest/parse';
import type { ObjectEvent, ParsedItem } from '../../src/ingest/types';

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/** An EventBridge Object Created event of bucket `bucket`, the i-th of its series (every field differs with i). */
const eventBridge = (bucket: string, i: number) => ({
  'detail-type': 'Object Created',
  source: 'aws.s3',
  id: `eb-${bucket}-${i}`,
  time: iso(T0 + i * 1000).replace('.000Z', 'Z'),
  detail: {
    bucket: { name: bucket },
    object: {
      key: `${bucket}/eb/${i}`,
      size: i,
      etag: `"etag-${bucket}-${i}"`,
      'version-id': `v-${bucket}-${i}`,
      sequencer: (0x100 + i).toString(16),
    },
    reason: 'PutObject',
  },
});

/** A classic notification record (ObjectRemoved:Delete, no size) of bucket `bucket`, the i-th of its series. */
const notification = (bucket: string, i: number) => ({
  eventSource: 'aws:s3',
  eventName: 'ObjectRemoved:Delete',
  eventTime: iso(T0 + i * 1000 + 7),
  s3: {
    bucket: { name: bucket },
    object: { key: `${bucket}/n+${i}`, eTag: `e-${bucket}-${i}`, versionId: `nv-${bucket}-${i}`, sequencer: `0${i}a` },
  },
  responseElements: { 'x-amz-request-id': `rq-${bucket}-${i}` },
});

const expectedFields = (bucket: string, i: number): EventFields => ({
  bucket,
  time: T0 + i * 1000,
  key: `${bucket}/eb/${i}`,
  sequencer: (0x100 + i).toString(16).toUpperCase(),
  size: i,
  etag: `etag-${bucket}-${i}`,
  versionId: `v-${bucket}-${i}`,
});

const expectedEventBridge = (bucket: string, i: number): ObjectEvent => ({
  source: 'eventbridge',
  kind: 'created',
  type: 'Object Created',
  ...expectedFields(bucket, i),
  reason: 'PutObject',
  storageClass: undefined,
  accessTier: undefined,
  restoreExpiry: undefined,
  id: `eb-${bucket}-${i}`,
});

const expectedNotification = (bucket: string, i: number): ObjectEvent => ({
  source: 's3-notification',
  kind: 'deleted',
  type: 'ObjectRemoved:Delete',
  bucket,
  key: `${bucket}/n ${i}`,
  time: T0 + i * 1000 + 7,
  sequencer: `0${i}A`,
  size: undefined,
  etag: `e-${bucket}-${i}`,
  versionId: `nv-${bucket}-${i}`,
  reason: undefined,
  storageClass: undefined,
  accessTier: undefined,
  restoreExpiry: undefined,
  id: `rq-${bucket}-${i}`,
});

const NAMES = {
  badTime: 'bad time',
  missingBody: 'missing detail',
  badBucket: 'bad bucket',
  object: 'detail.object',
  etag: 'etag',
  versionId: 'version-id',
  missingObject: 'missing detail.object',
  urlEncodedKeys: false,
};

describe('EventParser: the scratch state of one parse', () => {
  it('keeps the fields of two interleaved parsers apart', () => {
    const p1 = new EventParser();
    const p2 = new EventParser();
    const read = (p: EventParser, bucket: string, i: number) => {
      const e = eventBridge(bucket, i);
      const f = p.readEvent(e.time, e.detail, 'created', 'Object Created', NAMES);
      if (typeof f === 'string') throw new Error(f);
      return f;
    };
    let f1 = read(p1, 'bucket-a', 0);
    let f2 = read(p2, 'bucket-b', 100);
    for (let i = 1; i <= 20; i++) {
      // each parser's last answer stays what it read, whatever the other one read since
      expect({ ...f1 }).toEqual(expectedFields('bucket-a', i - 1));
      expect({ ...f2 }).toEqual(expectedFields('bucket-b', 100 + i - 1));
      f1 = read(p1, 'bucket-a', i);
      expect({ ...f2 }).toEqual(expectedFields('bucket-b', 100 + i - 1));
      f2 = read(p2, 'bucket-b', 100 + i);
      expect({ ...f1 }).toEqual(expectedFields('bucket-a', i));
      expect({ ...f2 }).toEqual(expectedFields('bucket-b', 100 + i));
    }
    // a rejection leaves the parser's last fields as they were
    expect(p1.readEvent(iso(T0), { bucket: { name: 'bucket-a' }, object: { key: '' } }, 'created', 'x', NAMES)).toBe(
      'empty object key',
    );
    expect({ ...f1 }).toEqual(expectedFields('bucket-a', 20));
  });

  it('parses both formats exactly when two parsers alternate between buckets and formats', () => {
    const p1 = new EventParser();
    const p2 = new EventParser();
    for (let i = 0; i < 12; i++) {
      const [pa, pb] = i % 3 === 0 ? [p2, p1] : [p1, p2];
      expect(parseEventBridge(pa, eventBridge('bucket-a', i))).toEqual(expectedEventBridge('bucket-a', i));
      expect(parseNotificationRecord(pb, notification('bucket-b', i))).toEqual(expectedNotification('bucket-b', i));
      expect(parseNotificationRecord(pa, notification('bucket-a', i))).toEqual(expectedNotification('bucket-a', i));
      expect(parseEventBridge(pb, eventBridge('bucket-b', i))).toEqual(expectedEventBridge('bucket-b', i));
      // an invalid bucket name is rejected whichever name the parser passed last
      expect(parseEventBridge(pa, eventBridge('Bucket-A', i))).toBe('missing or invalid detail.bucket.name');
      expect(parseNotificationRecord(pb, notification('b', i))).toBe('missing or invalid s3.bucket.name');
    }
  });

  it('keeps a batch parsed inside another one apart from it', () => {
    const inner: unknown[] = [];
    const outer: ParsedItem[] = [];
    // each item of the outer batch is followed, before the next is parsed, by a whole batch of another bucket
    const sink = {
      get length() {
        return outer.length;
      },
      push(item: ParsedItem) {
        outer.push(item);
        const n = outer.length - 1;
        inner.push(parseInput([eventBridge('bucket-b', 10 + n), { Records: [notification('bucket-b', 20 + n)] }]));
      },
    };
    parseInto(
      [eventBridge('bucket-a', 1), { Records: [notification('bucket-a', 2)] }, eventBridge('bucket-a', 3)],
      sink,
    );
    expect(outer).toEqual([
      { index: 0, event: expectedEventBridge('bucket-a', 1) },
      { index: 1, event: expectedNotification('bucket-a', 2) },
      { index: 2, event: expectedEventBridge('bucket-a', 3) },
    ]);
    expect(inner).toEqual(
      [0, 1, 2].map((n) => [
        { index: 0, event: expectedEventBridge('bucket-b', 10 + n) },
        { index: 1, event: expectedNotification('bucket-b', 20 + n) },
      ]),
    );
  });

  it('bucket(): a valid name once passed is answered again, anything invalid is rejected from the start', () => {
    const p = new EventParser();
    for (const v of ['', undefined, null, 7, 'UPPER', 'ab']) expect(p.bucket(v)).toBeUndefined();
    expect(p.bucket('my-bucket')).toBe('my-bucket');
    expect(p.bucket(['my', 'bucket'].join('-'))).toBe('my-bucket');
    for (const v of ['', undefined, 'My-bucket']) expect(p.bucket(v)).toBeUndefined();
    expect(new EventParser().bucket('')).toBeUndefined();
    expect(parseInput({ ...eventBridge('', 1) })).toEqual([
      { index: 0, rejected: 'missing or invalid detail.bucket.name' },
    ]);
  });
});
