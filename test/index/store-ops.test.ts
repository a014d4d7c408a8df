/**
 * The store against the pure state machine: random operation sequences on a few keys (puts of unversioned, 'null'
 * and versioned versions, delete markers, removes, patches; new, equal and older sequencers) applied through
 * applyIndexOp must give, op by op, the outcome `applyOp` gives on a model KeyState, and leave the stored state equal
 * to the model's. The store has shortcuts (putFast: unknown keys, unversioned overwrites) that skip applyOp;
 * this is what catches them diverging.
 */
import fc from 'fast-check';
import { ManualClock } from '../../src/engine/clock';
import { Engine } from '../../src/engine/engine';
import { applyOp, EMPTY_STATE, type IndexOp, type KeyState } from '../../src/index/key-state';
import type { ObjectVersion } from '../../src/index/payload';
import { applyIndexOp, DEFAULT_LIMITS, type IndexScope, isWrongType, readKeyState } from '../../src/index/store';

const BUCKET = 'ops-bucket';
const KEYS = ['a', 'a/b c', 'é😀', 'z'.repeat(300)];
const seq = fc.integer({ min: 1, max: 12 }).map((n) => (n * 17).toString(16).toUpperCase().padStart(4, '0'));
const versionId = fc.constantFrom(undefined, undefined, undefined, 'null', 'v1', 'v2');
const md5 = fc.constantFrom('0123456789abcdef0123456789abcdef', 'ffffffffffffffffffffffffffffffff');
const etag = fc.oneof(md5, fc.constant(undefined), fc.constant('abc-3'));

const version: fc.Arbitrary<ObjectVersion> = fc.record({
  versionId,
  sequencer: seq,
  deleteMarker: fc.nat(9).map((n) => n < 3),
  size: fc.nat(1 << 20),
  etag,
  lastModified: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
  storageClass: fc.constantFrom('STANDARD', 'GLACIER', 'CUSTOM_CLASS'),
});

const op: fc.Arbitrary<IndexOp> = fc
  .oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('put' as const), k: fc.nat(KEYS.length - 1), version }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('remove' as const),
        k: fc.nat(KEYS.length - 1),
        versionId,
        sequencer: seq,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('patch' as const),
        k: fc.nat(KEYS.length - 1),
        versionId,
        time: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
        storageClass: fc.constantFrom('GLACIER', 'DEEP_ARCHIVE'),
      }),
    },
  )
  .map(({ k, ...rest }) => ({ ...rest, bucket: BUCKET, key: KEYS[k]! }) as IndexOp);

/** What the store keeps of a version (absent optional fields), for comparing decoded and model states. */
const canon = (s: KeyState) => JSON.parse(JSON.stringify(s));

describe('applyIndexOp', () => {
  it('matches the pure state machine op by op (incl. its shortcuts)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, seeded) => {
        const engine = new Engine({ clock: new ManualClock() });
        const scope: IndexScope = { db: engine.dbs[0]!, now: 1_700_000_050_000 };
        const model = new Map<string, KeyState>();
        if (seeded) {
          // another key with a tombstone and history: the bucket's hist/tomb hashes exist, so putFast must look
          // up the key in them rather than skip them
          const other = { bucket: BUCKET, key: 'other' };
          for (const o of [
            {
              ...other,
              op: 'put',
              version: {
                sequencer: '01',
                deleteMarker: false,
                size: 1,
                lastModified: 1,
                storageClass: 'STANDARD',
                versionId: 'x',
              },
            },
            {
              ...other,
              op: 'put',
              version: {
                sequencer: '02',
                deleteMarker: true,
                size: 0,
                lastModified: 2,
                storageClass: 'STANDARD',
                versionId: 'y',
              },
            },
            { ...other, op: 'remove', versionId: 'z', sequencer: '03' },
          ] as IndexOp[]) {
            applyIndexOp(scope, o, DEFAULT_LIMITS);
            model.set('other', applyOp(model.get('other') ?? EMPTY_STATE, o, scope.now, DEFAULT_LIMITS).state);
          }
        }
        for (const o of ops) {
          const expected = applyOp(model.get(o.key) ?? EMPTY_STATE, o, scope.now, DEFAULT_LIMITS);
          model.set(o.key, expected.state);
          const got = applyIndexOp(scope, o, DEFAULT_LIMITS);
          expect(got).toBe(expected.outcome);
          const stored = readKeyState(scope, BUCKET, Buffer.from(o.key, 'utf8'));
          if (isWrongType(stored)) throw new Error(stored.message);
          expect(canon(stored)).toEqual(canon(expected.state));
        }
        for (const [k, s] of model) {
          const stored = readKeyState(scope, BUCKET, Buffer.from(k, 'utf8'));
          if (isWrongType(stored)) throw new Error(stored.message);
          expect(canon(stored)).toEqual(canon(s));
        }
      }),
      { numRuns: 400 },
    );
  });
});
