/** Versioned buckets, metadata-only events and tombstone retention, through the library API. */

import { DEFAULT_LIMITS } from '../../src/index/store';
import { S3Index } from '../../src/service/s3-index';
import { created, deleted, ebEvent, indexHarness, markerCreated } from './harness';

const B = 'vbucket';
const head = (index: S3Index, key: string) => {
  const r = index.head(B, key);
  return r.ok ? r.value : r.error;
};

describe('versioned buckets', () => {
  it('hides the key under a delete marker and restores the previous version when the marker is deleted', () => {
    const { index, exec } = indexHarness();
    index.ingest([created(B, 'k', '10', 5, { versionId: 'v1' }), created(B, 'k', '20', 7, { versionId: 'v2' })]);
    expect(head(index, 'k')).toMatchObject({ size: 7, versionId: 'v2' });
    index.ingest(markerCreated(B, 'k', '30', 'm1'));
    expect(head(index, 'k')).toBeUndefined();
    expect(exec('hlen', `s3idx:{${B}}:hist`)).toBe(1);
    // deleting a non-current version changes nothing
    expect(index.ingest(deleted(B, 'k', '40', 'v1'))).toMatchObject({ applied: 1 });
    expect(head(index, 'k')).toBeUndefined();
    // deleting the current marker brings v2 back, with its metadata, without any Object Created event
    index.ingest(deleted(B, 'k', '50', 'm1'));
    expect(head(index, 'k')).toMatchObject({ size: 7, versionId: 'v2' });
    expect(exec('exists', `s3idx:{${B}}:hist`)).toBe(0);
    expect(index.pendingVerification(B)).toEqual([]);
  });

  it('marks the key for verification when the restored version is unknown', () => {
    const { index, exec } = indexHarness();
    index.ingest([markerCreated(B, 'k', '30', 'm1')]);
    index.ingest(deleted(B, 'k', '50', 'm1'));
    expect(head(index, 'k')).toBeUndefined();
    expect(index.pendingVerification(B)).toEqual(['k']);
    expect(exec('exists', `s3idx:{${B}}:verify`)).toBe(1);
    index.resolveVerification(B, 'k', {
      versionId: 'v0',
      sequencer: '',
      deleteMarker: false,
      size: 3,
      lastModified: 0,
      storageClass: 'STANDARD',
    });
    expect(head(index, 'k')).toMatchObject({ size: 3, versionId: 'v0' });
    expect(index.pendingVerification(B)).toEqual([]);
    // a late create of a version that becomes current also settles a verification
    index.ingest([markerCreated(B, 'j', '30', 'm1'), deleted(B, 'j', '50', 'm1')]);
    expect(index.pendingVerification(B)).toEqual(['j']);
    index.ingest(created(B, 'j', '20', 9, { versionId: 'v1' }));
    expect(head(index, 'j')).toMatchObject({ size: 9 });
    expect(index.pendingVerification(B)).toEqual([]);
  });

  it('keeps a bounded number of non-current versions', () => {
    const { engine } = indexHarness();
    const index = new S3Index(engine, 0, { ...DEFAULT_LIMITS, maxNoncurrent: 2 });
    index.ingest([1, 2, 3, 4, 5].map((i) => created(B, 'k', `0${i}`, i, { versionId: `v${i}` })));
    expect(index.ingest(created(B, 'k', '00', 0, { versionId: 'v0' }))).toMatchObject({ stale: 1 });
    index.ingest([deleted(B, 'k', '10', 'v5'), deleted(B, 'k', '11', 'v4')]);
    expect(head(index, 'k')).toMatchObject({ versionId: 'v3' });
    index.ingest(deleted(B, 'k', '12', 'v3'));
    // v2 and v1 were dropped from the history: the current version is unknown
    expect(head(index, 'k')).toBeUndefined();
    expect(index.pendingVerification(B)).toEqual(['k']);
  });

  it('suspended versioning: a PUT replaces the null version only', () => {
    const { index } = indexHarness();
    index.ingest([created(B, 'k', '01', 1, { versionId: 'v1' }), created(B, 'k', '02', 2), created(B, 'k', '03', 3)]);
    expect(head(index, 'k')).toMatchObject({ size: 3 });
    expect(head(index, 'k')).not.toHaveProperty('versionId');
    index.ingest(deleted(B, 'k', '04', 'null'));
    expect(head(index, 'k')).toMatchObject({ size: 1, versionId: 'v1' });
  });
});

describe('metadata-only events', () => {
  const sc = (key: string, cls: string, time: string, etag = 'b1946ac92492d2347c6235b4d2611184') =>
    ebEvent('Object Storage Class Changed', B, { key, size: 1, etag }, { 'destination-storage-class': cls }, time);

  it('update metadata in event-time order, never resurrect, ignore other generations', () => {
    const { index } = indexHarness();
    expect(index.ingest(sc('k', 'GLACIER', '2024-06-01T00:00:00Z'))).toMatchObject({ ignored: 1 });
    index.ingest(created(B, 'k', '01'));
    expect(index.ingest(sc('k', 'STANDARD_IA', '2024-06-01T00:00:00Z'))).toMatchObject({ applied: 1 });
    expect(index.ingest(sc('k', 'STANDARD_IA', '2024-06-01T00:00:00Z'))).toMatchObject({ duplicate: 1 });
    expect(index.ingest(sc('k', 'GLACIER', '2024-07-01T00:00:00Z'))).toMatchObject({ applied: 1 });
    expect(index.ingest(sc('k', 'STANDARD_IA', '2024-06-15T00:00:00Z'))).toMatchObject({ stale: 1 });
    expect(index.ingest(sc('k', 'DEEP_ARCHIVE', '2024-08-01T00:00:00Z', 'ffff'))).toMatchObject({ ignored: 1 });
    expect(index.ingest(sc('k', 'DEEP_ARCHIVE', '2024-01-01T00:00:00Z'))).toMatchObject({ stale: 1 });
    expect(head(index, 'k')).toMatchObject({ storageClass: 'GLACIER' });
    const restore = (t: string, when: string, extra = {}) =>
      ebEvent(`Object Restore ${t}`, B, { key: 'k', size: 1 }, extra, when);
    index.ingest(restore('Initiated', '2024-07-02T00:00:00Z'));
    expect(head(index, 'k')).toMatchObject({ restore: { status: 'in-progress' } });
    index.ingest(restore('Completed', '2024-07-03T00:00:00Z', { 'restore-expiry-time': '2024-07-10T00:00:00Z' }));
    expect(head(index, 'k')).toMatchObject({ restore: { status: 'restored', expiry: Date.UTC(2024, 6, 10) } });
    index.ingest(restore('Expired', '2024-07-10T00:00:00Z'));
    expect(head(index, 'k')).not.toHaveProperty('restore');
    index.ingest(
      ebEvent(
        'Object Access Tier Changed',
        B,
        { key: 'k' },
        { 'destination-access-tier': 'ARCHIVE_ACCESS' },
        '2024-08-01T00:00:00Z',
      ),
    );
    expect(head(index, 'k')).toMatchObject({ accessTier: 'ARCHIVE_ACCESS' });
    expect(index.ingest(ebEvent('Object Tags Added', B, { key: 'k' }))).toMatchObject({ ignored: 1 });
    expect(index.ingest(ebEvent('Object ACL Updated', B, { key: 'k' }))).toMatchObject({ ignored: 1 });
    index.ingest(deleted(B, 'k', '02'));
    expect(index.ingest(sc('k', 'GLACIER', '2024-09-01T00:00:00Z'))).toMatchObject({ ignored: 1 });
    expect(head(index, 'k')).toBeUndefined();
  });
});

describe('tombstones', () => {
  it('stop late creates, drop when superseded, and expire after the retention period', () => {
    const { index, clock, exec } = indexHarness();
    index.ingest([created(B, 'a', '01'), deleted(B, 'a', '02'), deleted(B, 'b', '05')]);
    expect(exec('hlen', `s3idx:{${B}}:tomb`)).toBe(2);
    expect(index.ingest([created(B, 'a', '01'), created(B, 'b', '04')])).toMatchObject({ stale: 2 });
    expect(index.ingest(deleted(B, 'b', '05'))).toMatchObject({ duplicate: 1 });
    index.ingest(created(B, 'b', '06'));
    expect(exec('hlen', `s3idx:{${B}}:tomb`)).toBe(1);
    clock.advance(DEFAULT_LIMITS.tombstoneRetentionMs - 1);
    index.compactTombstones(B);
    expect(exec('hlen', `s3idx:{${B}}:tomb`)).toBe(1);
    index.ingest(deleted(B, 'c', '01'));
    clock.advance(2);
    index.compactTombstones(B);
    // 'a' expired, 'c' (newer) kept
    expect(exec('hkeys', `s3idx:{${B}}:tomb`)).toEqual(['c']);
    expect(index.ingest(created(B, 'a', '01'))).toMatchObject({ applied: 1 });
  });

  it('are capped per bucket, oldest first', () => {
    const { engine, exec } = indexHarness();
    const index = new S3Index(engine, 0, { ...DEFAULT_LIMITS, maxTombstones: 3 });
    index.ingest(['a', 'b', 'c', 'd', 'e'].map((k) => deleted(B, k, '01')));
    expect(exec('hkeys', `s3idx:{${B}}:tomb`)).toEqual(['c', 'd', 'e']);
  });
});
