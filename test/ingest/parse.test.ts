import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { toIndexOps } from '../../src/ingest/ops';
import { parseInput } from '../../src/ingest/parse';
import type { ObjectEvent } from '../../src/ingest/types';

const sample = (name: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../events', name), 'utf8'));
const events = (input: unknown): ObjectEvent[] => parseInput(input).flatMap((i) => ('event' in i ? [i.event] : []));

describe('parsing S3 events', () => {
  it('normalises every sample event', () => {
    const [c] = events(sample('eventbridge-object-created.json'));
    expect(c).toMatchObject({
      source: 'eventbridge',
      kind: 'created',
      bucket: 'example-bucket',
      key: 'reports/2024/May summary.pdf',
      size: 5242880,
      sequencer: '00617F08299329D189',
      time: Date.UTC(2024, 4, 1, 12),
    });
    expect(events(sample('eventbridge-object-created-multipart.json'))[0]).toMatchObject({
      etag: 'e4d7f1b4ed2e42d15898f4b27b019da4-64',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    });
    expect(events(sample('eventbridge-object-deleted.json'))[0]).toMatchObject({ kind: 'deleted', size: undefined });
    expect(events(sample('eventbridge-delete-marker-created.json'))[0]).toMatchObject({
      kind: 'delete-marker-created',
      versionId: '1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF',
    });
    expect(events(sample('eventbridge-lifecycle-expiration.json'))[0]).toMatchObject({
      kind: 'deleted',
      reason: 'Lifecycle Expiration',
    });
    expect(events(sample('eventbridge-storage-class-changed.json'))[0]).toMatchObject({
      kind: 'storage-class-changed',
      storageClass: 'GLACIER',
      sequencer: undefined,
    });
    expect(events(sample('eventbridge-restore-completed.json'))[0]).toMatchObject({
      kind: 'restore-completed',
      restoreExpiry: Date.UTC(2024, 5, 10),
    });
    const batch = parseInput(sample('sqs-batch.json'));
    expect(batch.map((i) => i.messageId)).toEqual([
      '059f36b4-87a3-44ab-83d2-661975153711',
      '059f36b4-87a3-44ab-83d2-661975153712',
      '059f36b4-87a3-44ab-83d2-661975153713',
    ]);
    expect(events(sample('s3-notification-encoded-key.json'))[0]).toMatchObject({
      source: 's3-notification',
      key: 'shared/draft v2/résumé + notes@home.pdf',
      time: Date.parse('2024-05-01T12:00:00.123Z'),
    });
    expect(parseInput(sample('s3-test-event.json'))).toEqual([{ index: 0, skipped: 's3:TestEvent' }]);
    expect(events(sample('sqs-sns-notification.json'))[0]).toMatchObject({ kind: 'deleted' });
  });

  it('maps classic event names, including lifecycle and restore families', () => {
    const rec = (eventName: string, extra: Record<string, unknown> = {}) => ({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName,
          eventTime: '2024-01-01T00:00:00.000Z',
          s3: { bucket: { name: 'bkt' }, object: { key: 'a%2Bb+c', size: 1, sequencer: '01' } },
          ...extra,
        },
      ],
    });
    const kind = (name: string, extra?: Record<string, unknown>) => events(rec(name, extra))[0]?.kind;
    expect(kind('ObjectCreated:CompleteMultipartUpload')).toBe('created');
    expect(kind('s3:ObjectCreated:Copy')).toBe('created');
    expect(kind('ObjectRemoved:DeleteMarkerCreated')).toBe('delete-marker-created');
    expect(kind('LifecycleExpiration:Delete')).toBe('deleted');
    expect(kind('LifecycleExpiration:DeleteMarkerCreated')).toBe('delete-marker-created');
    expect(kind('ObjectRestore:Post')).toBe('restore-initiated');
    expect(kind('ObjectRestore:Completed')).toBe('restore-completed');
    expect(kind('ObjectRestore:Delete')).toBe('restore-expired');
    expect(kind('LifecycleTransition')).toBe('no-index-effect');
    expect(
      kind('LifecycleTransition', {
        lifecycleEventData: { transitionEventData: { destinationStorageClass: 'GLACIER' } },
      }),
    ).toBe('storage-class-changed');
    expect(
      kind('IntelligentTiering', { intelligentTieringEventData: { destinationAccessTier: 'ARCHIVE_ACCESS' } }),
    ).toBe('access-tier-changed');
    expect(kind('ObjectTagging:Put')).toBe('no-index-effect');
    expect(events(rec('ObjectCreated:Put'))[0]?.key).toBe('a+b c');
  });

  it('rejects malformed events with a reason, never throwing', () => {
    const reasons = (input: unknown) => parseInput(input).map((i) => ('rejected' in i ? i.rejected : 'ok'));
    const good = sample('eventbridge-object-created.json') as Record<string, Record<string, unknown>>;
    const withDetail = (d: Record<string, unknown>) => ({ ...good, detail: { ...good.detail, ...d } });
    const withObject = (o: Record<string, unknown>) =>
      withDetail({ object: { ...(good.detail!.object as Record<string, unknown>), ...o } });
    expect(reasons(withObject({ key: '' }))).toEqual(['empty object key']);
    expect(reasons(withObject({ key: 'x'.repeat(1025) }))).toEqual(['object key is 1025 bytes (max 1024)']);
    expect(reasons(withObject({ key: '\uD800' }))).toEqual(['object key is not valid UTF-8']);
    expect(reasons(withObject({ sequencer: undefined }))).toEqual([
      'missing detail.object.sequencer on Object Created (needed to order the events of a key)',
    ]);
    expect(reasons(withObject({ size: -1 }))).toEqual(['invalid detail.object.size']);
    expect(reasons(withDetail({ bucket: { name: 'UPPER' } }))).toEqual(['missing or invalid detail.bucket.name']);
    expect(reasons({ ...good, source: 'aws.ec2' })).toEqual(['not an S3 event (source "aws.ec2")']);
    expect(reasons({ ...good, time: 'yesterday' })).toEqual(['missing or invalid time']);
    // Date.parse accepts it, the index's 48-bit times do not: a rejection, not a throw from the encoder
    expect(reasons({ ...good, time: '+100000-01-01T00:00:00Z' })).toEqual(['missing or invalid time']);
    expect(reasons('{')).toEqual([expect.stringMatching(/^invalid JSON/)]);
    expect(reasons(42)).toEqual(['not a JSON object']);
    expect(reasons({ Records: [{ eventSource: 'aws:sqs', messageId: 'm1' }] })).toEqual(['SQS record without a body']);
    expect(
      reasons({
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: '2024-01-01T00:00:00Z',
            s3: { bucket: { name: 'bkt' }, object: { key: '%E0%A4%A', size: 1, sequencer: '1' } },
          },
        ],
      }),
    ).toEqual(['malformed URL encoding in s3.object.key']);
    // classic notifications share the object-field checks under their own field names
    const record = (object: Record<string, unknown>) => ({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: '2024-01-01T00:00:00.000Z',
          s3: { bucket: { name: 'bkt' }, object: { key: 'a+b', size: 1, sequencer: '01', ...object } },
        },
      ],
    });
    expect(reasons(record({ sequencer: undefined }))).toEqual([
      'missing s3.object.sequencer on ObjectCreated:Put (needed to order the events of a key)',
    ]);
    expect(reasons(record({ eTag: '' }))).toEqual(['invalid s3.object.eTag']);
    expect(reasons(record({ versionId: 7 }))).toEqual(['invalid s3.object.versionId']);
    expect(reasons(record({ size: 'big' }))).toEqual(['invalid s3.object.size']);
    expect(reasons(withObject({ 'version-id': '' }))).toEqual(['invalid detail.object.version-id']);
    expect(reasons(withObject({ etag: '""' }))).toEqual(['invalid detail.object.etag']);
    // a lenient size: numeric strings from emulators
    expect(reasons(withObject({ size: '12' }))).toEqual(['ok']);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(() => parseInput(v)).not.toThrow();
        expect(() => parseInput(JSON.stringify(v))).not.toThrow();
        expect(() => parseInput({ Records: [v, { body: JSON.stringify(v), messageId: 'x' }] })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('translates events into index operations', () => {
    const [c] = events(sample('eventbridge-object-created.json'));
    expect(toIndexOps(c!)).toEqual([
      {
        op: 'put',
        bucket: 'example-bucket',
        key: 'reports/2024/May summary.pdf',
        version: {
          versionId: undefined,
          sequencer: '00617F08299329D189',
          deleteMarker: false,
          size: 5242880,
          etag: 'b1946ac92492d2347c6235b4d2611184',
          lastModified: Date.UTC(2024, 4, 1, 12),
          storageClass: 'STANDARD',
        },
      },
    ]);
    const [d] = events(sample('eventbridge-object-deleted.json'));
    expect(toIndexOps(d!)).toEqual([
      {
        op: 'remove',
        bucket: 'example-bucket',
        key: 'reports/2024/May summary.pdf',
        versionId: undefined,
        sequencer: '00617F0829C4D5E6F7',
        time: Date.UTC(2024, 4, 1, 13, 0, 0),
      },
    ]);
    const [r] = events(sample('eventbridge-restore-completed.json'));
    expect(toIndexOps(r!)[0]).toMatchObject({
      op: 'patch',
      restore: { status: 'restored', expiry: Date.UTC(2024, 5, 10) },
    });
  });
});
