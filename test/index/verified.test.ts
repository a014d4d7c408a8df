/**
 * The 'verified' op (key-state.ts): what a HeadObject begun at checkedAt said of a key, applied so that it never
 * overrides an event applied after the HEAD began, and an ABSENT stays absent against late, older events. Through
 * the engine: S3IDX.VERIFIED / S3IDX.UNVERIFIED.
 */
import fc from 'fast-check';
import {
  ABSENT_SEQUENCER,
  applyOp,
  EMPTY_STATE,
  type IndexOp,
  type KeyState,
  visibleVersion,
} from '../../src/index/key-state';
import type { ObjectVersion } from '../../src/index/payload';
import { created, deleted, indexHarness } from './harness';

const LIMITS = { maxNoncurrent: 4 };
const B = 'bucket';
const K = 'key';
const seqOf = (n: number): string => n.toString(16).toUpperCase().padStart(18, '0');

function version(etag: string, lastModified: number, sequencer: string, versionId?: string): ObjectVersion {
  const v: ObjectVersion = {
    sequencer,
    deleteMarker: false,
    size: etag.length * 10,
    etag,
    lastModified,
    storageClass: 'STANDARD',
  };
  if (versionId !== undefined) v.versionId = versionId;
  return v;
}
const put = (etag: string, t: number, n: number, versionId?: string): IndexOp => ({
  op: 'put',
  bucket: B,
  key: K,
  version: version(etag, t, seqOf(n), versionId),
});
const del = (t: number, n: number, versionId?: string): IndexOp => ({
  op: 'remove',
  bucket: B,
  key: K,
  sequencer: seqOf(n),
  time: t,
  ...(versionId === undefined ? {} : { versionId }),
});
const present = (checkedAt: number, etag: string, lastModified: number, versionId?: string): IndexOp => ({
  op: 'verified',
  bucket: B,
  key: K,
  checkedAt,
  version: version(etag, lastModified, '', versionId),
});
const absent = (checkedAt: number): IndexOp => ({ op: 'verified', bucket: B, key: K, checkedAt });

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
const shown = (s: KeyState) => visibleVersion(s)?.etag;

describe('a verified PRESENT', () => {
  test('replaces a drifted unversioned version, and a late older put or deletion cannot undo it', () => {
    const r = run([
      [put('aaaa', 1000, 1), 1100],
      // the write of bbbb at 3000 was never told; the HEAD begun at 5000 sees it
      [present(5000, 'bbbb', 3000), 5100],
      [put('aaaa', 1000, 1), 6000],
      [del(2000, 2), 6100],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'stale', 'stale']);
    expect(shown(r.state)).toBe('bbbb');
    expect(r.state.versions[0]!.sequencer).toBe('');
  });

  test('is stale against a put written after the HEAD began, wherever it is delivered', () => {
    const r = run([
      [put('cccc', 6000, 3), 6100],
      [present(5000, 'bbbb', 3000), 7000],
    ]);
    expect(r.outcomes).toEqual(['applied', 'stale']);
    expect(shown(r.state)).toBe('cccc');
  });

  test('is stale against a deletion of that version ingested after the HEAD began', () => {
    const r = run([
      [put('bbbb', 3000, 2), 3100],
      [del(5500, 3), 5600],
      [present(5000, 'bbbb', 3000), 7000],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'stale']);
    expect(shown(r.state)).toBeUndefined();
    // a deletion ingested after the HEAD began but known to precede the write the HEAD saw does not stop it
    const earlier = run([
      [del(2000, 3), 5600],
      [present(5000, 'bbbb', 3000), 7000],
    ]);
    expect(earlier.outcomes).toEqual(['applied', 'applied']);
    expect(shown(earlier.state)).toBe('bbbb');
  });

  test('restores a versioned key after its current version was removed (verify), and settles it', () => {
    const removed = run([
      [put('v2v2', 2000, 2, 'v2'), 2100],
      [del(3000, 3, 'v2'), 3100],
    ]);
    expect(removed.state.verify).toBe(true);
    const r = run(
      [
        [present(5000, 'v1v1', 1000, 'v1'), 5100],
        // late: a replay of v2's put, an older version's put, and v1's own event
        [put('v2v2', 2000, 2, 'v2'), 6000],
        [put('v0v0', 500, 1, 'v0'), 6100],
        [put('v1v1', 1000, 1, 'v1'), 6200],
      ],
      removed.state,
    );
    expect(r.outcomes).toEqual(['applied', 'stale', 'stale', 'applied']);
    expect(r.state.verify).toBe(false);
    expect(visibleVersion(r.state)).toMatchObject({ etag: 'v1v1', versionId: 'v1', sequencer: seqOf(1) });
  });

  test('of a known version drops the newer ones S3 no longer has, leaving their tombstones', () => {
    const r = run([
      [put('v1v1', 1000, 1, 'v1'), 1100],
      [put('v2v2', 2000, 2, 'v2'), 2100],
      [present(5000, 'v1v1', 1000, 'v1'), 5100],
      [put('v2v2', 2000, 2, 'v2'), 6000],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'applied', 'stale']);
    expect(visibleVersion(r.state)).toMatchObject({ versionId: 'v1', sequencer: seqOf(1) });
    expect(r.state.tombstones).toEqual([{ versionId: 'v2', sequencer: seqOf(2), at: 5100 }]);
  });

  test('is a duplicate of what the index shows', () => {
    const r = run([
      [put('aaaa', 1000, 1), 1100],
      [present(5000, 'aaaa', 1000), 5100],
    ]);
    expect(r.outcomes).toEqual(['applied', 'duplicate']);
    expect(r.state.versions[0]!.sequencer).toBe(seqOf(1));
  });
});

describe('a verified ABSENT', () => {
  test('removes the key, and late older puts (any version) and deletions cannot bring it back', () => {
    const r = run([
      [put('aaaa', 1000, 1), 1100],
      [absent(5000), 5100],
      [put('bbbb', 3000, 2), 6000],
      [put('vvvv', 4000, 3, 'v9'), 6100],
      [del(2000, 4), 6200],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'stale', 'stale', 'stale']);
    expect(shown(r.state)).toBeUndefined();
    expect(r.state.tombstones).toEqual([{ versionId: '', sequencer: ABSENT_SEQUENCER, at: 5100, time: 5000 }]);
    // a write after the HEAD began is applied and replaces the marker
    const later = run([[put('cccc', 6000, 5), 7000]], r.state);
    expect(later.outcomes).toEqual(['applied']);
    expect(shown(later.state)).toBe('cccc');
    expect(later.state.tombstones).toEqual([]);
  });

  test('a later deletion replaces the marker', () => {
    const r = run([
      [absent(5000), 5100],
      [del(6000, 4), 6200],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied']);
    // a key the index does not know still gets the marker: the late put of a write before the HEAD is stale
    expect(
      run([
        [absent(5000), 5100],
        [put('aaaa', 4000, 1), 9000],
      ]).outcomes,
    ).toEqual(['applied', 'stale']);
    expect(
      run([
        [absent(5000), 5100],
        [absent(5000), 5200],
      ]).outcomes,
    ).toEqual(['applied', 'duplicate']);
    const m = run([
      [put('aaaa', 1000, 1), 1100],
      [absent(5000), 5100],
      [del(6000, 4), 6200],
    ]);
    expect(m.outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(m.state.tombstones).toEqual([{ versionId: '', sequencer: seqOf(4), at: 6200, time: 6000 }]);
  });

  test('is stale against a put written after the HEAD began', () => {
    const r = run([
      [put('cccc', 6000, 3), 6100],
      [absent(5000), 7000],
    ]);
    expect(r.outcomes).toEqual(['applied', 'stale']);
    expect(shown(r.state)).toBe('cccc');
  });

  test('settles a pending verification of a versioned key', () => {
    const r = run([
      [put('v2v2', 2000, 2, 'v2'), 2100],
      [del(3000, 3, 'v2'), 3100],
      [absent(5000), 5100],
      [put('v1v1', 1000, 1, 'v1'), 6000],
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'applied', 'stale']);
    expect(r.state.verify).toBe(false);
    expect(shown(r.state)).toBeUndefined();
  });
});

/**
 * One unversioned key's history in S3: writes and deletions at distinct whole seconds (growing sequencers); a HEAD
 * begins at checkedAt and sees the state then; events are delivered once each, late, in any order, the ones from
 * before the HEAD possibly lost; the HEAD's result is applied at any time after it began.
 */
const history = fc
  .record({
    steps: fc.array(fc.record({ del: fc.boolean(), gap: fc.integer({ min: 1, max: 4 }) }), {
      minLength: 1,
      maxLength: 7,
    }),
    head: fc.integer({ min: 0, max: 30 }),
    delays: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 8, maxLength: 8 }),
    lost: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    verifyDelay: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ steps, head, delays, lost, verifyDelay }) => {
    let t = 0;
    const ops = steps.map((s, i) => {
      t += s.gap;
      return { del: s.del, time: t * 1000, n: i + 1, etag: `e${i + 1}xxx` };
    });
    const checkedAt = head * 1000 + 500;
    const seen = ops.filter((o) => o.time <= checkedAt).at(-1);
    const deliveries: Array<[IndexOp, number]> = [];
    ops.forEach((o, i) => {
      if (o.time < checkedAt && lost[i]) return;
      deliveries.push([o.del ? del(o.time, o.n) : put(o.etag, o.time, o.n), o.time + delays[i]! * 1000 + 1]);
    });
    const result = seen === undefined || seen.del ? absent(checkedAt) : present(checkedAt, seen.etag, seen.time);
    deliveries.push([result, checkedAt + verifyDelay * 1000]);
    deliveries.sort((a, b) => a[1] - b[1]);
    const last = ops.at(-1)!;
    return { deliveries, expected: last.del ? undefined : last.etag };
  });

test('property: a HEAD result never overrides a later event, and the key ends as S3 has it', () => {
  fc.assert(
    fc.property(history, ({ deliveries, expected }) => {
      expect(shown(run(deliveries).state)).toBe(expected);
    }),
    { numRuns: 5000 },
  );
});

describe('S3IDX.VERIFIED and S3IDX.UNVERIFIED', () => {
  const V = 'vbkt';
  it('lists the keys awaiting verification and applies HEAD results, reply counts like S3IDX.BACKFILL', () => {
    const { exec, obj, clock } = indexHarness();
    for (const k of ['a', 'ü b', 'c']) {
      exec('s3idx.ingest', JSON.stringify(created(V, k, '10', 5, { versionId: 'v2' })));
      exec('s3idx.ingest', JSON.stringify(deleted(V, k, '20', 'v2')));
    }
    exec('s3idx.ingest', JSON.stringify(created(V, 'plain', '10', 5)));
    expect((exec('s3idx.unverified', V) as string[]).sort()).toEqual(['a', 'c', 'ü b']);
    expect((exec('s3idx.unverified', V, 'COUNT', '2') as string[]).length).toBe(2);
    expect(exec('s3idx.unverified', 'nobucket')).toEqual([]);
    clock.advance(1000);
    const checkedAt = String(clock.now());
    const etag = 'b1946ac92492d2347c6235b4d2611184';
    const lm = String(clock.now() - 500);
    const reply = obj(
      's3idx.verified',
      V,
      checkedAt,
      'a',
      'PRESENT',
      '7',
      `"${etag}"`,
      lm,
      'STANDARD_IA',
      'v1',
      'ü b',
      'absent',
      'plain',
      'PRESENT',
      '5',
      etag,
      lm,
      'STANDARD',
      '',
    );
    // 'plain': created with size 5 and that etag: a duplicate; 'c' untouched
    expect(reply).toEqual({ applied: 2, stale: 0, duplicate: 1, ignored: 0 });
    expect(exec('s3idx.unverified', V)).toEqual(['c']);
    expect(obj('s3idx.head', V, 'a')).toMatchObject({
      size: 7,
      etag,
      'storage-class': 'STANDARD_IA',
      'version-id': 'v1',
    });
    expect(exec('s3idx.head', V, 'ü b')).toBeNull();
  });

  it('checks every row before applying any', () => {
    const { exec } = indexHarness();
    exec('s3idx.ingest', JSON.stringify(created(V, 'a', '10', 5, { versionId: 'v2' })));
    exec('s3idx.ingest', JSON.stringify(deleted(V, 'a', '20', 'v2')));
    const etag = 'b1946ac92492d2347c6235b4d2611184';
    expect(exec('s3idx.verified', V, '1', 'a', 'ABSENT', 'b', 'PRESENT', '1', etag, '0', 'STANDARD')).toEqual({
      error: 'ERR syntax error',
    });
    expect(exec('s3idx.verified', V, '1', 'a', 'ABSENT', 'b', 'GONE')).toEqual({ error: 'ERR syntax error' });
    expect(exec('s3idx.verified', V, 'soon', 'a', 'ABSENT')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(exec('s3idx.verified', V, '1', 'a', 'ABSENT', 'b', 'PRESENT', '-1', etag, '0', 'STANDARD', '')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(exec('s3idx.verified', V, '1', 'a', 'ABSENT', 'b', 'PRESENT', '1', etag, '0', 'no class', '')).toEqual({
      error: 'ERR invalid storage class',
    });
    expect(exec('s3idx.unverified', V)).toEqual(['a']);
    expect(exec('s3idx.unverified', V, 'COUNT', '0')).toEqual({ error: 'ERR COUNT must be a positive integer' });
    expect(exec('s3idx.unverified', V, 'LIMIT', '3')).toEqual({ error: 'ERR syntax error' });
  });
});
