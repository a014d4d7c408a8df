/**
 * Two trees side by side: their descents, lookup hints, prepared batches, cursors and snapshots each belong to one
 * tree (or cursor), so interleaving the two never lets one tree's state steer the other's writes. Both trees are
 * checked against sorted-array models after every step. The same key Buffer objects go to both trees: a tree that
 * found another tree's recorded descent for the key object (a shared path, hint or batch) would write through it.
 */
import fc from 'fast-check';
import {
  type KeyRange,
  PackedBTree,
  type PreparedBatch,
  type TreeCursor,
  type TreeLimits,
} from '../../../src/engine/structures/packed-btree';
import { SortedSet } from '../../../src/engine/structures/sortedset';

/** Small nodes: trees of a few dozen keys are three or four levels deep, so descents and paths differ a lot. */
const SMALL: TreeLimits = { leafMaxEntries: 4, leafMaxBytes: 64, innerMax: 4 };

/** The model: entries sorted by memcmp of the key. */
class Model {
  readonly entries: { key: Buffer; value: Buffer | undefined }[] = [];
  private search(key: Buffer): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.entries[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Index of the first key ≥ key. */
  lowerBound(key: Buffer): number {
    return this.search(key);
  }
  get(key: Buffer): Buffer | undefined | null {
    const i = this.search(key);
    const e = this.entries[i];
    return e?.key.equals(key) ? e.value : null;
  }
  set(key: Buffer, value: Buffer | undefined): boolean {
    const i = this.search(key);
    const e = this.entries[i];
    if (e?.key.equals(key)) {
      e.value = value;
      return false;
    }
    this.entries.splice(i, 0, { key: Buffer.from(key), value });
    return true;
  }
  delete(key: Buffer): boolean {
    const i = this.search(key);
    const e = this.entries[i];
    if (e === undefined || !e.key.equals(key)) return false;
    this.entries.splice(i, 1);
    return true;
  }
}

/** A pool of key objects shared by both trees (shared prefixes; some keys only ever reach one tree). */
const KEYS: Buffer[] = Array.from({ length: 48 }, (_, i) =>
  Buffer.from(`logs/${'abc'[i % 3]}/${String((i * 37) % 48).padStart(3, '0')}`),
);

interface Side {
  tree: PackedBTree;
  model: Model;
  /** an open cursor and the model index it stands on (dropped when its tree is written) */
  cursor: TreeCursor | null;
  at: number;
  /** the batch last prepared, until released */
  batch: PreparedBatch | null;
}

function newSide(): Side {
  return { tree: new PackedBTree(SMALL), model: new Model(), cursor: null, at: 0, batch: null };
}

function fill(side: Side, from: number, step: number): void {
  for (let i = from; i < KEYS.length; i += step) {
    side.tree.set(KEYS[i]!, Buffer.from(`v${i}`));
    side.model.set(KEYS[i]!, Buffer.from(`v${i}`));
  }
}

function checkSide(side: Side): void {
  side.tree.checkInvariants();
  const got = [...side.tree.entries()].map((e) => [e.key.toString(), e.value?.toString()]);
  expect(got).toEqual(side.model.entries.map((e) => [e.key.toString(), e.value?.toString()]));
}

function checkCursor(side: Side): void {
  const c = side.cursor;
  if (c === null) return;
  const e = side.model.entries[side.at];
  expect(c.valid).toBe(e !== undefined);
  if (e !== undefined) expect(c.key()).toEqual(e.key);
}

/** A write to one side: its cursor is no longer valid afterwards. */
function written(side: Side): void {
  side.cursor = null;
}

describe('PackedBTree: two trees never share descent state', () => {
  it("a lookup's hint in one tree survives a descent of the same key object in the other", () => {
    const a = newSide();
    const b = newSide();
    fill(a, 0, 1);
    fill(b, 1, 2);
    for (const key of KEYS) {
      // a's lookup leaves its descent for a's next write of this key object; b's descent of the same object between
      // them must neither use nor replace it
      expect(a.tree.getValue(key)).toEqual(a.model.get(key));
      expect(b.tree.getValue(key)).toEqual(b.model.get(key));
      expect(b.tree.set(key, Buffer.from('b'))).toBe(b.model.set(key, Buffer.from('b')));
      expect(a.tree.set(key, Buffer.from('a'))).toBe(a.model.set(key, Buffer.from('a')));
    }
    checkSide(a);
    checkSide(b);
  });

  it("two trees' prepared batches of the same key objects, their writes interleaved", () => {
    const a = newSide();
    const b = newSide();
    fill(a, 0, 2);
    fill(b, 1, 2);
    const batch = KEYS.slice(0, 24);
    const batchA = a.tree.prepare(batch, batch.length);
    const batchB = b.tree.prepare(batch, batch.length);
    for (const key of batch) {
      expect(a.tree.getValue(key)).toEqual(a.model.get(key));
      expect(a.tree.set(key, Buffer.from('a'))).toBe(a.model.set(key, Buffer.from('a')));
      expect(b.tree.delete(key) !== undefined).toBe(b.model.delete(key));
    }
    batchA.release();
    batchB.release();
    checkSide(a);
    checkSide(b);
  });

  it('a cursor of one tree and a snapshot of it walk on while the other tree is written', () => {
    const a = newSide();
    const b = newSide();
    fill(a, 0, 1);
    fill(b, 0, 3);
    const c = a.tree.cursor(0);
    const leaves = a.tree.packedLeaves();
    const snapshot: { entries: Buffer; count: number; weights: Float64Array | null }[] = [];
    let n = 0;
    for (const key of KEYS) {
      b.tree.set(key, Buffer.from('b'));
      b.model.set(key, Buffer.from('b'));
      expect(c.key()).toEqual(a.model.entries[n]!.key);
      c.next();
      n++;
      const leaf = leaves.next();
      if (!leaf.done) snapshot.push(leaf.value);
      b.tree.delete(KEYS[(n * 7) % KEYS.length]!);
      b.model.delete(KEYS[(n * 7) % KEYS.length]!);
    }
    expect(c.valid).toBe(false);
    for (let leaf = leaves.next(); !leaf.done; leaf = leaves.next()) snapshot.push(leaf.value);
    const reloaded = PackedBTree.fromPackedLeaves(snapshot);
    expect([...reloaded.entries()].map((e) => [e.key.toString(), e.value?.toString()])).toEqual(
      a.model.entries.map((e) => [e.key.toString(), e.value?.toString()]),
    );
    checkSide(a);
    checkSide(b);
  });

  it("key ranges of two trees, visited inside each other's visits, each read its own tree", () => {
    const a = newSide();
    const b = newSide();
    fill(a, 0, 1);
    fill(b, 1, 2);
    const ra = a.tree.keyRange(0, a.model.entries.length, 0, false);
    const rb = b.tree.keyRange(b.model.entries.length - 1, b.model.entries.length, 0, true);
    const keysOf = (range: KeyRange, inner?: () => void): string[] => {
      const out: string[] = [];
      range.visit({
        stretch(buf, _base, _end, spans, k) {
          // the other tree's walk in between: its spans are its own
          inner?.();
          for (let j = 0; j < k; j++)
            out.push(buf.toString('latin1', spans[2 * j]!, spans[2 * j]! + spans[2 * j + 1]!));
        },
      });
      return out;
    };
    const seen: string[][] = [];
    expect(keysOf(ra, () => seen.push(keysOf(rb)))).toEqual(a.model.entries.map((e) => e.key.toString()));
    const expectedB = b.model.entries.map((e) => e.key.toString()).reverse();
    for (const keys of seen) expect(keys).toEqual(expectedB);
    // a write to one tree settles its own ranges only
    b.tree.set(KEYS[0]!, undefined);
    b.model.set(KEYS[0]!, undefined);
    expect(keysOf(rb)).toEqual(expectedB);
    expect(keysOf(ra)).toEqual(a.model.entries.map((e) => e.key.toString()));
    ra.release();
    rb.release();
    checkSide(a);
    checkSide(b);
  });
});

describe('SortedSet: score decoding owns its staging area', () => {
  it('two scored sets decode negative and positive scores interleaved', () => {
    const x = new SortedSet();
    const y = new SortedSet();
    const scores = [-1.5, 2, -0.25, Number.NEGATIVE_INFINITY, 0, 1e300, -1e-300, Number.POSITIVE_INFINITY];
    for (const [i, s] of scores.entries()) {
      x.add(Buffer.from(`m${i}`), s);
      y.add(Buffer.from(`m${i}`), -s);
    }
    const xs = x.slice(0, scores.length - 1, false, true);
    const ys = y.slice(0, scores.length - 1, false, true);
    const sorted = scores.slice().sort((p, q) => p - q);
    expect(xs.scores).toEqual(sorted);
    expect(ys.scores).toEqual(
      sorted
        .map((s) => -s)
        .sort((p, q) => p - q)
        .map((s) => (s === 0 ? 0 : s)),
    );
    for (const [i, s] of scores.entries()) {
      expect(x.score(Buffer.from(`m${i}`))).toBe(s);
      expect(y.score(Buffer.from(`m${i}`))).toBe(s === 0 ? 0 : -s);
    }
  });
});

type Op =
  | { t: 'set' | 'delete' | 'getValue' | 'has'; side: 0 | 1; key: number }
  | { t: 'prepare'; side: 0 | 1; keys: number[] }
  | { t: 'release'; side: 0 | 1 }
  | { t: 'cursor'; side: 0 | 1; key: number }
  | { t: 'step'; side: 0 | 1 }
  | { t: 'seek'; side: 0 | 1; key: number }
  | { t: 'lookupThenWrite'; side: 0 | 1; key: number; other: number }
  | { t: 'batchBoth'; keys: number[] };

const side = fc.constantFrom(0 as const, 1 as const);
const key = fc.nat(KEYS.length - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constantFrom('set' as const, 'delete' as const), side, key }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constantFrom('getValue' as const, 'has' as const), side, key }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('prepare' as const), side, keys: fc.array(key, { maxLength: 20 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release' as const), side }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cursor' as const), side, key }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('step' as const), side }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('seek' as const), side, key }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('lookupThenWrite' as const), side, key, other: key }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('batchBoth' as const), keys: fc.array(key, { maxLength: 20 }) }),
  },
);

function run(ops: Op[]): void {
  const sides = [newSide(), newSide()] as const;
  // the same start: equal trees (and equal structure changes) until the operations make them differ
  fill(sides[0], 0, 2);
  fill(sides[1], 0, 2);
  for (const op of ops) {
    if (op.t === 'batchBoth') {
      // both trees prepare the same key objects, then write them in turn (the ingest's order, in two trees at once)
      const keys = op.keys.map((k) => KEYS[k]!);
      const [a, b] = sides;
      const batches = [a.tree.prepare(keys, keys.length), b.tree.prepare(keys, keys.length)];
      for (const [i, k] of keys.entries()) {
        expect(a.tree.getValue(k)).toEqual(a.model.get(k));
        expect(a.tree.set(k, Buffer.from(`a${i}`))).toBe(a.model.set(k, Buffer.from(`a${i}`)));
        if (i % 2 === 0) expect(b.tree.delete(k) !== undefined).toBe(b.model.delete(k));
        else expect(b.tree.set(k, Buffer.from(`b${i}`))).toBe(b.model.set(k, Buffer.from(`b${i}`)));
      }
      for (const batch of batches) batch.release();
      written(a);
      written(b);
      continue;
    }
    const s = sides[op.side];
    switch (op.t) {
      case 'set': {
        const value = Buffer.from(`${op.side}:${op.key}`);
        expect(s.tree.set(KEYS[op.key]!, value)).toBe(s.model.set(KEYS[op.key]!, value));
        written(s);
        break;
      }
      case 'delete':
        expect(s.tree.delete(KEYS[op.key]!) !== undefined).toBe(s.model.delete(KEYS[op.key]!));
        written(s);
        break;
      case 'getValue':
        expect(s.tree.getValue(KEYS[op.key]!)).toEqual(s.model.get(KEYS[op.key]!));
        break;
      case 'has':
        expect(s.tree.has(KEYS[op.key]!)).toBe(s.model.get(KEYS[op.key]!) !== null);
        break;
      case 'prepare':
        // the ingest's order is the batch's keys next; here they come in any order, mixed with the other tree's
        s.batch = s.tree.prepare(
          op.keys.map((k) => KEYS[k]!),
          op.keys.length,
        );
        break;
      case 'release':
        s.batch?.release();
        s.batch = null;
        break;
      case 'cursor':
        s.cursor = s.tree.seekCursor(KEYS[op.key]!, false);
        s.at = s.model.lowerBound(KEYS[op.key]!);
        break;
      case 'step':
        if (s.cursor?.valid) {
          s.cursor.next();
          s.at++;
        }
        break;
      case 'lookupThenWrite': {
        // a read-modify-write of a key (the write reuses the lookup's descent) around a read and a write of the
        // other tree, with a key object that may be the same
        const o = sides[1 - op.side]!;
        const k = KEYS[op.key]!;
        const ok = KEYS[op.other]!;
        expect(s.tree.getValue(k)).toEqual(s.model.get(k));
        expect(o.tree.getValue(ok)).toEqual(o.model.get(ok));
        expect(o.tree.set(ok, Buffer.from('o'))).toBe(o.model.set(ok, Buffer.from('o')));
        written(o);
        expect(s.tree.set(k, Buffer.from('s'))).toBe(s.model.set(k, Buffer.from('s')));
        written(s);
        break;
      }
      case 'seek': {
        // forward only: a key below the cursor's leaves it where it is
        if (s.cursor === null || !s.cursor.valid) break;
        const k = KEYS[op.key]!;
        s.cursor.seek(k, false);
        s.at = Math.max(s.at, s.model.lowerBound(k));
        break;
      }
    }
    checkCursor(sides[0]);
    checkCursor(sides[1]);
  }
  checkSide(sides[0]);
  checkSide(sides[1]);
}

describe('PackedBTree: two trees interleaved against sorted-array models', () => {
  it('batches, writes, lookups and cursors of two trees in any order', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => run(ops)),
      { numRuns: 300 },
    );
  });
});
