/**
 * The merge rule of crawled (listed) rows with live events (key-state.ts, op 'listed'): a row of a listing that
 * began at crawlStart fills in what the events did not tell, never overrides what they did, and never resurrects a
 * key deleted meanwhile. Property: whatever the interleaving of a key's events (each delivered once, late and in any
 * order) with the crawl's row, the key ends as S3 has it.
 */
import fc from 'fast-check';
import { applyOp, EMPTY_STATE, type IndexOp, type KeyState, visibleVersion } from '../../src/index/key-state';
import {
  decodeTombstones,
  encodeTombstones,
  encodeVersion,
  hasUnknownSequencer,
  type ObjectVersion,
} from '../../src/index/payload';

const LIMITS = { maxNoncurrent: 4 };
const B = 'bucket';
const K = 'key';

function version(etag: string, lastModified: number, sequencer: string): ObjectVersion {
  return { sequencer, deleteMarker: false, size: etag.length * 100, etag, lastModified, storageClass: 'STANDARD' };
}

const seqOf = (n: number): string => n.toString(16).toUpperCase().padStart(18, '0');

const put = (etag: string, t: number, n: number): IndexOp => ({
  op: 'put',
  bucket: B,
  key: K,
  version: version(etag, t, seqOf(n)),
});
const del = (t: number, n: number): IndexOp => ({ op: 'remove', bucket: B, key: K, sequencer: seqOf(n), time: t });
const row = (etag: string, lastModified: number, crawlStart: number): IndexOp => ({
  op: 'listed',
  bucket: B,
  key: K,
  version: version(etag, lastModified, ''),
  crawlStart,
});

function run(ops: Array<[IndexOp, number]>, from: KeyState = EMPTY_STATE): { state: KeyState; outcomes: string[] } {
  let state = from;
  const outcomes: string[] = [];
  for (const [op, now] of ops) {
    const r = applyOp(state, op, now, LIMITS);
    state = r.state;
    outcomes.push(r.outcome);
  }
  return { state, outcomes };
}

const visibleEtag = (s: KeyState): string | undefined => visibleVersion(s)?.etag;

describe('a listed row', () => {
  test('fills in a key the events never told of, with the unknown sequencer', () => {
    const { state, outcomes } = run([[row('aaaa', 1000, 5000), 6000]]);
    expect(outcomes).toEqual(['applied']);
    expect(visibleEtag(state)).toBe('aaaa');
    expect(state.versions[0]!.sequencer).toBe('');
    expect(hasUnknownSequencer(encodeVersion(state.versions[0]!))).toBe(true);
    expect(hasUnknownSequencer(encodeVersion(version('aaaa', 1000, seqOf(1))))).toBe(false);
  });

  test('is a duplicate of the object the events already told of, and stale against a newer one', () => {
    expect(
      run([
        [put('aaaa', 1000, 1), 1500],
        [row('aaaa', 1000, 5000), 6000],
      ]).outcomes,
    ).toEqual(['applied', 'duplicate']);
    const newer = run([
      [put('bbbb', 7000, 2), 7500],
      [row('aaaa', 1000, 5000), 8000],
    ]);
    expect(newer.outcomes).toEqual(['applied', 'stale']);
    expect(visibleEtag(newer.state)).toBe('bbbb');
  });

  test('replaces a current version older than the write it shows (an event was lost), until that event comes', () => {
    const { state, outcomes } = run([
      [put('aaaa', 1000, 1), 1500],
      // the write of bbbb at 3000 (sequencer 2) was never delivered
      [row('bbbb', 3000, 5000), 6000],
      // a replay of aaaa's event cannot bring it back
      [put('aaaa', 1000, 1), 7000],
      // the lost event, delivered at last, settles the sequencer
      [put('bbbb', 3000, 2), 8000],
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'stale', 'applied']);
    expect(visibleEtag(state)).toBe('bbbb');
    expect(state.versions[0]!.sequencer).toBe(seqOf(2));
  });

  test('never resurrects a key deleted while the crawl ran', () => {
    const { state, outcomes } = run([
      [put('aaaa', 1000, 1), 1500],
      [del(5500, 2), 5600],
      // the row was read at 5200, before the deletion
      [row('aaaa', 1000, 5000), 6000],
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'stale']);
    expect(visibleEtag(state)).toBeUndefined();
  });

  test('after a deletion ingested before the crawl began: applied (S3 listed a later write), and then', () => {
    const deleted = run([
      [put('aaaa', 1000, 1), 1500],
      [del(2000, 2), 2100],
    ]).state;
    // the write of cccc at 2050 was listed; its event, delivered late, settles it; the deletion's replay is stale
    const after = run(
      [
        [row('cccc', 2050, 5000), 6000],
        [del(2000, 2), 6500],
        [put('cccc', 2050, 3), 7000],
      ],
      deleted,
    );
    expect(after.outcomes).toEqual(['applied', 'stale', 'applied']);
    expect(visibleEtag(after.state)).toBe('cccc');
  });

  test('a late deletion older than the listed object does not remove it; a newer one does', () => {
    const listed = run([[row('bbbb', 3000, 5000), 6000]]).state;
    const late = run([[del(2000, 7), 7000]], listed);
    expect(late.outcomes).toEqual(['stale']);
    expect(visibleEtag(late.state)).toBe('bbbb');
    const later = run([[del(4000, 8), 7000]], listed);
    expect(later.outcomes).toEqual(['applied']);
    expect(visibleEtag(later.state)).toBeUndefined();
  });

  test('on a versioned key showing a later write, asks for verification instead of guessing a version', () => {
    const versioned: IndexOp = {
      op: 'put',
      bucket: B,
      key: K,
      version: { ...version('aaaa', 1000, seqOf(1)), versionId: 'v1' },
    };
    const { state, outcomes } = run([
      [versioned, 1500],
      [row('bbbb', 3000, 5000), 6000],
    ]);
    expect(outcomes).toEqual(['applied', 'applied']);
    expect(state.verify).toBe(true);
    expect(visibleEtag(state)).toBeUndefined();
  });
});

/**
 * One key's history in S3: writes and deletions at distinct whole seconds with growing sequencers; the crawl begins
 * at crawlStart and reads the key at readAt; each event is delivered once, at or after its time, and the row is
 * applied at or after readAt, in any order.
 */
const history = fc
  .record({
    steps: fc.array(fc.record({ del: fc.boolean(), gap: fc.integer({ min: 1, max: 4 }) }), {
      minLength: 1,
      maxLength: 6,
    }),
    crawlStart: fc.integer({ min: 0, max: 30 }),
    readDelay: fc.integer({ min: 0, max: 10 }),
    delays: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 7, maxLength: 7 }),
    rowDelay: fc.integer({ min: 0, max: 40 }),
    lost: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  })
  .map(({ steps, crawlStart, readDelay, delays, rowDelay, lost }) => {
    let t = 0;
    const ops = steps.map((s, i) => {
      t += s.gap;
      return { del: s.del, time: t * 1000, n: i + 1, etag: `e${i + 1}xxx` };
    });
    const start = crawlStart * 1000;
    const readAt = start + readDelay * 1000 + 500;
    const seen = ops.filter((o) => o.time <= readAt).at(-1);
    const deliveries: Array<[IndexOp, number]> = ops.map((o, i) => [
      o.del ? del(o.time, o.n) : put(o.etag, o.time, o.n),
      o.time + delays[i]! * 1000 + 1,
    ]);
    if (seen !== undefined && !seen.del) deliveries.push([row(seen.etag, seen.time, start), readAt + rowDelay * 1000]);
    deliveries.sort((a, b) => a[1] - b[1]);
    const last = ops.at(-1)!;
    // the same, with some events of the writes and deletions before the crawl began never delivered
    const lostOps = new Set(ops.filter((o, i) => o.time < start && lost[i]).map((o) => o.n));
    const delivered = deliveries.filter(([op]) => op.op === 'listed' || !lostOps.has(seqNumber(op)));
    const lastLost = lostOps.has(last.n);
    return { deliveries, delivered, lastLost, expected: last.del ? undefined : last.etag };
  });

const seqNumber = (op: IndexOp): number =>
  Number.parseInt(op.op === 'put' ? op.version.sequencer : op.op === 'remove' ? op.sequencer : '0', 16);

test('property: every interleaving of the events with the crawl ends as S3 has the key', () => {
  fc.assert(
    fc.property(history, ({ deliveries, expected }) => {
      expect(visibleEtag(run(deliveries).state)).toBe(expected);
    }),
    { numRuns: 3000 },
  );
});

test('property: events lost before the crawl began: the crawl recovers the key as S3 has it', () => {
  fc.assert(
    fc.property(history, ({ delivered, lastLost, expected }) => {
      // (a lost deletion of the key's last version leaves an extra key: reconcile's to find, not a crawl's)
      if (lastLost && expected === undefined) return;
      expect(visibleEtag(run(delivered).state)).toBe(expected);
    }),
    { numRuns: 3000 },
  );
});

test('property: a crawl alone, the events of the past lost, shows what the listing read', () => {
  fc.assert(
    fc.property(history, ({ deliveries }) => {
      const rows = deliveries.filter(([op]) => op.op === 'listed');
      const { state } = run(rows);
      expect(visibleEtag(state)).toBe(
        rows.length === 1 ? (rows[0]![0] as { version: ObjectVersion }).version.etag : undefined,
      );
    }),
  );
});

test('a tombstone keeps its deletion event time (flag bit 1); records without it read as before', () => {
  const ts = [
    { versionId: '', sequencer: seqOf(9), at: 5000, time: 4000 },
    { versionId: 'v2', sequencer: 'not-hex', at: 6000 },
  ];
  const buf = encodeTombstones(ts);
  expect(decodeTombstones(buf)).toEqual(ts);
  // the record of a version that wrote no event times is byte-for-byte the old format (flags 1 and 0)
  const old = encodeTombstones(ts.map(({ versionId, sequencer, at }) => ({ versionId, sequencer, at })));
  expect(old.length).toBe(buf.length - 6);
  expect(decodeTombstones(old)).toEqual(ts.map(({ versionId, sequencer, at }) => ({ versionId, sequencer, at })));
  // a deletion applied by an event with a time records it
  const { state } = run([[del(4000, 3), 4500]]);
  expect(state.tombstones).toEqual([{ versionId: '', sequencer: seqOf(3), at: 4500, time: 4000 }]);
});
