/**
 * src/local/events.ts on its own: the emulator's changes as EventBridge S3 events, fed to a real engine-backed
 * S3Index through the production ingest path (src/ingest), and the Sequencer that orders them.
 */
import { ManualClock } from '../../src/engine/clock';
import { type LocalChange, Sequencer, toEventBridge } from '../../src/local/events';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';

const T0 = Date.parse('2026-03-04T05:06:07.891Z');

function newIndex(): S3Index {
  return new S3Index(createEngine({ clock: new ManualClock(T0 + 60_000) }));
}

const created = (
  key: string,
  sequencer: string,
  over: Partial<Extract<LocalChange, { kind: 'created' }>> = {},
): LocalChange => ({
  kind: 'created',
  reason: 'PutObject',
  bucket: 'demo',
  key,
  size: 11,
  etag: '5eb63bbbe01eeed093cb22bb8f5acdc3',
  time: T0,
  sequencer,
  ...over,
});

const deleted = (key: string, sequencer: string, time = T0): LocalChange => ({
  kind: 'deleted',
  reason: 'DeleteObject',
  bucket: 'demo',
  key,
  time,
  sequencer,
});

function ingestAll(index: S3Index, changes: LocalChange[]) {
  const outcome = index.ingest(changes.map((c) => toEventBridge(c)));
  expect(outcome.rejected).toEqual([]);
  return outcome;
}

function listing(index: S3Index, bucket = 'demo') {
  const page = index.listObjectsV2(bucket, { maxKeys: 1000 });
  if (!page.ok) throw new Error(page.error.message);
  return page.value.contents.map((o) => ({ key: o.key, size: o.size, etag: o.etag, lastModified: o.lastModified }));
}

describe('toEventBridge', () => {
  it('gives the EventBridge shape S3 sends (detail-type, source, second-precision time, detail fields)', () => {
    const e = toEventBridge(
      created('a b+c', '0000000000000000A1', { reason: 'CopyObject', size: 5, etag: 'abc' }),
    ) as Record<string, unknown> & { detail: Record<string, unknown> };
    expect(e['detail-type']).toBe('Object Created');
    expect(e.source).toBe('aws.s3');
    expect(e.time).toBe('2026-03-04T05:06:07Z');
    expect(e.resources).toEqual(['arn:aws:s3:::demo']);
    expect(e.detail.bucket).toEqual({ name: 'demo' });
    expect(e.detail.object).toEqual({ key: 'a b+c', size: 5, etag: 'abc', sequencer: '0000000000000000A1' });
    expect(e.detail.reason).toBe('CopyObject');
    const d = toEventBridge(deleted('x', '0000000000000000A2')) as Record<string, unknown> & {
      detail: Record<string, unknown>;
    };
    expect(d['detail-type']).toBe('Object Deleted');
    expect(d.detail['deletion-type']).toBe('Permanently Deleted');
    expect(d.detail.object).toEqual({ key: 'x', sequencer: '0000000000000000A2' });
    expect(d.detail.reason).toBe('DeleteObject');
  });

  it.each(['PutObject', 'CopyObject', 'PostObject', 'CompleteMultipartUpload'] as const)(
    'a %s creation is ingested: listed and headed with its key, size, etag and time (to the second)',
    (reason) => {
      const index = newIndex();
      const etag = reason === 'CompleteMultipartUpload' ? '0123456789abcdef0123456789abcdef-2' : 'f00dfeed'.repeat(4);
      const size = reason === 'CompleteMultipartUpload' ? 10 * 1024 * 1024 + 3 : 1234;
      const outcome = ingestAll(index, [created('docs/report.pdf', '000000000000000100', { reason, size, etag })]);
      expect(outcome.applied).toBe(1);
      const second = Math.floor(T0 / 1000) * 1000;
      expect(listing(index)).toEqual([{ key: 'docs/report.pdf', size, etag, lastModified: second }]);
      const h = index.head('demo', 'docs/report.pdf');
      expect(h.ok && h.value).toMatchObject({ key: 'docs/report.pdf', size, etag, lastModified: second });
      expect(index.listBuckets()).toEqual(['demo']);
    },
  );

  it.each(['DeleteObject', 'DeleteObjects'] as const)('a %s deletion removes the key from the listing', (reason) => {
    const index = newIndex();
    ingestAll(index, [created('keep', '000000000000000100'), created('gone', '000000000000000101')]);
    const outcome = ingestAll(index, [{ ...deleted('gone', '000000000000000102'), reason } as LocalChange]);
    expect(outcome.applied).toBe(1);
    expect(listing(index).map((o) => o.key)).toEqual(['keep']);
    const h = index.head('demo', 'gone');
    expect(h.ok && h.value).toBeUndefined();
  });

  it('keeps keys raw: spaces, +, %, unicode and deep folders stay byte-identical, never URL-decoded', () => {
    const keys = [
      'with space.txt',
      'a+b.txt',
      '100%25 done',
      '%2F%20literal',
      'caf\u00e9/\u65e5\u672c\u8a9e/\u{1F600}.png',
      'deep/a/b/c/d/e/f/g/h/i/j/leaf',
      'plus+and space+%2B',
      'tab\tand~tilde!*()',
    ];
    const index = newIndex();
    ingestAll(
      index,
      keys.map((k, i) => created(k, (0x100 + i).toString(16).padStart(18, '0'))),
    );
    const listed = listing(index).map((o) => o.key);
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(listed).toEqual(byBytes);
    for (const k of keys) {
      const h = index.head('demo', k);
      expect(h.ok && h.value?.key).toBe(k);
    }
    // a raw key is not decoded into another one
    expect(index.head('demo', 'a b.txt')).toEqual({ ok: true, value: undefined });
    expect(index.head('demo', '100% done')).toEqual({ ok: true, value: undefined });
    // and a deletion with the raw key removes exactly that key
    ingestAll(index, [deleted('a+b.txt', '000000000000000200')]);
    expect(listing(index).map((o) => o.key)).toEqual(byBytes.filter((k) => k !== 'a+b.txt'));
  });

  it('a delete followed by a late older create leaves the key deleted; a newer create brings it back', () => {
    const index = newIndex();
    const seq = new Sequencer();
    const s1 = seq.next(T0);
    const s2 = seq.next(T0);
    const s3 = seq.next(T0 + 1);
    ingestAll(index, [created('k', s1, { size: 1, etag: 'one' })]);
    ingestAll(index, [deleted('k', s3)]);
    // an overwrite made between the two, delivered late
    const late = ingestAll(index, [created('k', s2, { size: 2, etag: 'two' })]);
    expect(late.applied).toBe(0);
    expect(late.stale).toBe(1);
    expect(listing(index)).toEqual([]);
    ingestAll(index, [created('k', seq.next(T0 + 2), { size: 3, etag: 'three' })]);
    expect(listing(index).map((o) => [o.key, o.size, o.etag])).toEqual([['k', 3, 'three']]);
  });

  it('an older overwrite delivered late does not replace the newer one', () => {
    const index = newIndex();
    const seq = new Sequencer();
    const older = seq.next(T0);
    const newer = seq.next(T0);
    ingestAll(index, [created('k', newer, { size: 2, etag: 'newer' })]);
    ingestAll(index, [created('k', older, { size: 1, etag: 'older' })]);
    expect(listing(index).map((o) => o.etag)).toEqual(['newer']);
  });
});

describe('Sequencer', () => {
  const isSeq = /^[0-9A-F]{18}$/;

  it('is 18 upper-case hex digits and strictly increasing with the clock standing still or going backwards', () => {
    const s = new Sequencer();
    const clock = [T0, T0, T0, T0 + 5, T0 + 5, T0 - 1000, T0 - 60_000, T0 + 4, T0 + 6, T0 + 6, 0];
    const out = clock.map((t) => s.next(t));
    for (const v of out) expect(v).toMatch(isSeq);
    for (let i = 1; i < out.length; i++) {
      // same length, so string order is numeric order, which is what the index compares
      expect(out[i]! > out[i - 1]!).toBe(true);
      expect(BigInt(`0x${out[i]}`)).toBeGreaterThan(BigInt(`0x${out[i - 1]}`));
    }
    expect(new Set(out).size).toBe(out.length);
  });

  it('many calls within one millisecond stay distinct and growing', () => {
    const s = new Sequencer();
    let prev = '';
    let notGrowing = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = s.next(T0);
      if (!(v > prev)) notGrowing++;
      prev = v;
    }
    expect(notGrowing).toBe(0);
    // and the next millisecond continues above them
    expect(s.next(T0 + 1) > prev).toBe(true);
  });

  it('uses the real clock by default', () => {
    const s = new Sequencer();
    const before = BigInt(Date.now()) << 20n;
    const v = BigInt(`0x${s.next()}`);
    expect(v).toBeGreaterThanOrEqual(before);
    expect(v).toBeLessThanOrEqual((BigInt(Date.now()) + 1n) << 20n);
  });

  it('a new Sequencer (a restart) at a later clock continues above the old one, even after a burst', () => {
    const old = new Sequencer();
    let last = '';
    for (let i = 0; i < 5000; i++) last = old.next(T0);
    const restarted = new Sequencer();
    const first = restarted.next(T0 + 1000);
    expect(first).toMatch(isSeq);
    expect(first > last).toBe(true);
    // and through the index: the restarted emulator's overwrite wins over the old process's last write
    const index = newIndex();
    ingestAll(index, [created('k', last, { etag: 'before-restart' })]);
    ingestAll(index, [created('k', first, { etag: 'after-restart' })]);
    expect(listing(index).map((o) => o.etag)).toEqual(['after-restart']);
  });
});
