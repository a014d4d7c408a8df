import fc from 'fast-check';
import {
  bufferAllocations,
  type KeyClassifier,
  PackedBTree,
  type TreeLimits,
  type WeightOf,
} from '../../../src/engine/structures/packed-btree';

/** The model: entries kept sorted by memcmp of the key. */
interface ModelEntry {
  key: Buffer;
  value: Buffer | undefined;
  weight: number;
}

class Model {
  entries: ModelEntry[] = [];
  lowerBound(key: Buffer, inclusive: boolean): number {
    let n = 0;
    for (const e of this.entries) {
      const c = Buffer.compare(e.key, key);
      if (c < 0 || (inclusive && c === 0)) n++;
    }
    return n;
  }
  find(key: Buffer): number {
    return this.entries.findIndex((e) => e.key.equals(key));
  }
  set(key: Buffer, value: Buffer | undefined, weight: number, mode: 'insert' | 'set' | 'update'): boolean {
    const i = this.find(key);
    if (i >= 0) {
      if (mode !== 'insert') this.entries[i] = { key, value, weight };
      return mode === 'update';
    }
    if (mode === 'update') return false;
    this.entries.splice(this.lowerBound(key, false), 0, { key, value, weight });
    return true;
  }
}

const SMALL: TreeLimits = { leafMaxEntries: 4, leafMaxBytes: 64, innerMax: 4 };
const MEDIUM: TreeLimits = { leafMaxEntries: 8, leafMaxBytes: 256, innerMax: 5 };

/** Keys over a tiny alphabet (collisions, shared prefixes, 0x00/0xff), sometimes long. */
const keyArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a.map((x) => [0, 1, 0x7f, 0x80, 0xff][x % 5]))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 1100 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => Buffer.from(s)) },
);
const valueArb = fc.option(
  fc
    .oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 100, maxLength: 300 }))
    .map((a) => Buffer.from(a)),
  { nil: undefined },
);
const weightArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 1_000_000 }),
  // beyond a Uint32Array leaf: the leaf switches to a Float64Array
  fc.constantFrom(2 ** 40, 0xffffffff, -3, 0.5),
);

type Op =
  | { t: 'insert' | 'set' | 'update'; key: Buffer; value: Buffer | undefined; weight: number }
  | { t: 'delete'; key: Buffer }
  | { t: 'removeRange'; a: number; b: number }
  | { t: 'appendRun'; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constantFrom('insert' as const, 'set' as const, 'update' as const),
      key: keyArb,
      value: valueArb,
      weight: weightArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('removeRange' as const), a: fc.nat(40), b: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('appendRun' as const), n: fc.integer({ min: 1, max: 30 }) }) },
);

function checkAgainstModel(tree: PackedBTree, model: Model, probes: Buffer[]): void {
  tree.checkInvariants();
  const m = model.entries;
  expect(tree.size).toBe(m.length);
  const got = [...tree.entries()];
  expect(got.map((e) => e.key.toString('hex'))).toEqual(m.map((e) => e.key.toString('hex')));
  expect(got.map((e) => e.value?.toString('hex'))).toEqual(m.map((e) => e.value?.toString('hex')));
  expect(got.map((e) => e.weight)).toEqual(m.map((e) => e.weight));
  expect(tree.totalWeight).toBe(m.reduce((s, e) => s + e.weight, 0));
  for (let r = 0; r < m.length; r += Math.max(1, m.length >> 3)) {
    expect(tree.keyAt(r)?.equals(m[r].key)).toBe(true);
    expect(tree.rank(m[r].key)).toBe(r);
    for (let e = r; e <= m.length; e += Math.max(1, m.length >> 2)) {
      expect(tree.weightBetween(r, e)).toBe(m.slice(r, e).reduce((s, x) => s + x.weight, 0));
    }
  }
  expect(tree.at(m.length)).toBeUndefined();
  expect(tree.at(-1)).toBeUndefined();
  for (const k of probes) {
    expect(tree.lowerBound(k, false)).toBe(model.lowerBound(k, false));
    expect(tree.lowerBound(k, true)).toBe(model.lowerBound(k, true));
    expect(tree.countWhile((b, s, e) => Buffer.compare(b.subarray(s, e), k) < 0)).toBe(model.lowerBound(k, false));
    const i = model.find(k);
    expect(tree.has(k)).toBe(i >= 0);
    expect(tree.rank(k)).toBe(i);
    expect(tree.getValue(k)).toEqual(i >= 0 ? m[i].value : null);
  }
  // cursors both ways
  if (m.length > 0) {
    const c = tree.cursor(0);
    let n = 0;
    do {
      expect(c.key().equals(m[n].key)).toBe(true);
      n++;
    } while (c.next());
    expect(n).toBe(m.length);
    const r = tree.cursor(m.length - 1);
    n = m.length;
    do {
      n--;
      expect(r.key().equals(m[n].key)).toBe(true);
    } while (r.prev());
    expect(n).toBe(0);
  }
}

/** Derived weights for the model tests: an integer function of the value bytes (what the S3 index does with sizes). */
const derivedWeight: WeightOf = (buf, s, e) =>
  (e - s) * 3 + (e > s ? buf[s]! : 0) + (e - s > 1 ? buf[e - 1]! * 256 : 0);
const modelWeight = (value: Buffer | undefined) => (value === undefined ? 0 : derivedWeight(value, 0, value.length));

/**
 * `prepareEvery` > 0: before every run of that many operations, tree.prepare() is given the keys of the run's
 * operations (as the ingest does for a batch of events), so their descents take the prepared paths.
 */
/** A classifier for the model tests: flags the keys whose last byte is odd (the invariant checker counts them). */
const oddLastByte: KeyClassifier = (buf, s, e) => e > s && (buf[e - 1]! & 1) === 1;

function run(limits: TreeLimits | undefined, ops: Op[], derived = false, prepareEvery = 0): void {
  const tree = new PackedBTree(limits, derived ? derivedWeight : undefined, oddLastByte);
  const model = new Model();
  // with derived weights the weights given to writes are ignored
  const weightOf = (value: Buffer | undefined, given: number) => (derived ? modelWeight(value) : given);
  const handedOut: [Buffer, string][] = [];
  const probes: Buffer[] = [Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])];
  let appendSeq = 0;
  for (const [at, op] of ops.entries()) {
    if (prepareEvery > 0 && at % prepareEvery === 0) {
      const keys = ops.slice(at, at + prepareEvery).flatMap((o) => ('key' in o ? [o.key] : []));
      tree.prepare(keys, keys.length);
    }
    switch (op.t) {
      case 'insert':
      case 'set':
      case 'update': {
        const fn = op.t === 'insert' ? tree.insert : op.t === 'set' ? tree.set : tree.update;
        const expected = model.set(op.key, op.value, weightOf(op.value, op.weight), op.t);
        expect(fn.call(tree, op.key, op.value, op.weight)).toBe(expected);
        probes.push(op.key);
        break;
      }
      case 'delete': {
        const i = model.find(op.key);
        const removed = tree.delete(op.key);
        if (i < 0) expect(removed).toBeUndefined();
        else {
          expect(removed?.key.equals(op.key)).toBe(true);
          expect(removed?.value).toEqual(model.entries[i].value);
          model.entries.splice(i, 1);
          if (removed) handedOut.push([removed.key, removed.key.toString('hex')]);
        }
        break;
      }
      case 'removeRange': {
        const a = Math.min(op.a, op.b);
        const b = Math.max(op.a, op.b);
        const expected = Math.max(0, Math.min(b, model.entries.length) - a);
        expect(tree.removeRange(a, b)).toBe(expected);
        model.entries.splice(a, Math.max(0, b - a));
        break;
      }
      case 'appendRun': {
        // keys above everything: exercises the sequential fast path and full-node splits
        for (let i = 0; i < op.n; i++) {
          const key = Buffer.from(`\xff\xff\xff\xff\xff~${String(appendSeq++).padStart(6, '0')}`, 'latin1');
          expect(tree.set(key, undefined, i % 3)).toBe(true);
          model.set(key, undefined, weightOf(undefined, i % 3), 'set');
        }
        break;
      }
    }
    const first = tree.keyAt(0);
    if (first) handedOut.push([first, first.toString('hex')]);
  }
  checkAgainstModel(tree, model, probes.slice(-30));
  for (const [buf, hex] of handedOut) expect(buf.toString('hex')).toBe(hex);
}

describe('PackedBTree vs a sorted-array model', () => {
  it('small nodes (deep trees)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => run(SMALL, ops)),
      { numRuns: 100 },
    );
  });
  it('medium nodes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => run(MEDIUM, ops)),
      { numRuns: 60 },
    );
  });
  it('default limits', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => run(undefined, ops)),
      { numRuns: 30 },
    );
  });
  // weights derived from values (no per-entry arrays): sums kept by addition and subtraction through inserts,
  // replacements, deletes, range removals, splits and merges
  it('derived weights, small nodes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => run(SMALL, ops, true)),
      { numRuns: 100 },
    );
  });
  it('derived weights, medium nodes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => run(MEDIUM, ops, true)),
      { numRuns: 60 },
    );
  });
  it('derived weights, default limits', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => run(undefined, ops, true)),
      { numRuns: 30 },
    );
  });
});

describe('PackedBTree prepared batches (prepare, then the writes and reads of the batch in order)', () => {
  it('a prepared key whose leaf changed, split or merged before its turn is still found where it is', () => {
    const tree = new PackedBTree(SMALL);
    const keys = Array.from({ length: 200 }, (_, i) => Buffer.from(`k${String(i * 2).padStart(4, '0')}`));
    for (const k of keys) tree.set(k, k);
    // a batch whose earlier writes change the later keys' leaves: inserts next to them (shifting their positions),
    // inserts that split their leaves, deletes that merge them, and the same bytes in another Buffer
    const batch = [
      Buffer.from('k0101'),
      Buffer.from('k0100'),
      Buffer.from('k0099'),
      Buffer.from('k0102'),
      Buffer.from('k0100'),
      Buffer.from('k0050'),
    ];
    tree.prepare(batch, batch.length);
    expect(tree.set(batch[0]!, batch[0])).toBe(true);
    expect(tree.getValue(batch[1]!)).toEqual(Buffer.from('k0100'));
    expect(tree.set(batch[2]!, batch[2])).toBe(true);
    for (let i = 0; i < 20; i++) tree.set(Buffer.from(`k0102${i}`), undefined);
    expect(tree.has(batch[3]!)).toBe(true);
    expect(tree.delete(batch[4]!)?.key).toEqual(Buffer.from('k0100'));
    for (let i = 40; i < 60; i += 2) tree.delete(Buffer.from(`k${String(i).padStart(4, '0')}`));
    expect(tree.has(batch[5]!)).toBe(false);
    expect(tree.getValue(batch[1]!)).toBeNull();
    tree.checkInvariants();
  });
  it('does not write through a prepared path after the leaf was merged away or split', () => {
    const name = (i: number) => Buffer.from(`k${String(i).padStart(3, '0')}`);
    // merge: the keys before the prepared key's leaf are deleted, so that its left neighbour underflows and takes the
    // prepared key's leaf in (for some of the targets the two share a parent); split: inserts around the key
    for (const change of ['merge', 'split'] as const) {
      for (let target = 20; target < 80; target++) {
        if (change === 'split' && target % 2 === 1) continue; // only even keys exist before the split
        const tree = new PackedBTree(SMALL);
        for (let i = 0; i < 100; i += change === 'merge' ? 1 : 2) tree.set(name(i), Buffer.from('old'));
        const key = name(target);
        tree.prepare([key], 1);
        if (change === 'merge') for (let i = target - 8; i < target - 1; i++) tree.delete(name(i));
        else for (let i = target - 9; i < target + 10; i += 2) tree.set(name(i), undefined);
        expect(tree.set(key, Buffer.from('new'))).toBe(false);
        tree.checkInvariants();
        expect(tree.getValue(name(target))).toEqual(Buffer.from('new'));
      }
    }
  });
  it('ignores a batch prepared in another tree or before a structure change', () => {
    const a = new PackedBTree(SMALL);
    const b = new PackedBTree(SMALL);
    for (let i = 0; i < 100; i++) {
      a.set(Buffer.from(`a${i}`), undefined);
      b.set(Buffer.from(`b${i}`), undefined);
    }
    const key = Buffer.from('a50');
    a.prepare([key], 1);
    expect(b.has(key)).toBe(false);
    expect(a.has(key)).toBe(true);
    a.prepare([key], 1);
    a.clear();
    expect(a.has(key)).toBe(false);
    a.checkInvariants();
  });
  for (const [name, limits] of [
    ['small nodes', SMALL],
    ['medium nodes', MEDIUM],
    ['default limits', undefined],
  ] as const) {
    it(`${name}: results and tree equal the model's, with plain and derived weights`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 300 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), (ops, k, d) =>
          run(limits, ops, d, k),
        ),
        { numRuns: limits === undefined ? 30 : 80 },
      );
    });
  }
});

describe('PackedBTree', () => {
  it('bulk loads in order and then shrinks back to one leaf', () => {
    const tree = new PackedBTree();
    const keys: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) keys.push(Buffer.from(`key/${String(i).padStart(8, '0')}`));
    for (const k of keys) tree.append(k, undefined, 1);
    tree.checkInvariants();
    expect(tree.size).toBe(20_000);
    expect(tree.weightBetween(100, 19_100)).toBe(19_000);
    expect(() => tree.append(keys[5])).toThrow();
    // random deletes keep it valid and compact
    for (let i = 0; i < keys.length; i += 2) tree.delete(keys[i]);
    tree.checkInvariants();
    expect(tree.removeRange(10, 9_990)).toBe(9_980);
    tree.checkInvariants();
    expect(tree.size).toBe(20);
    expect(tree.byteSize()).toBeLessThan(2000);
    const copy = PackedBTree.fromPackedLeaves(tree.packedLeaves());
    copy.checkInvariants();
    expect([...copy.entries()]).toEqual([...tree.entries()]);
    tree.removeRange(0, 20);
    tree.checkInvariants();
    expect(tree.size).toBe(0);
  });

  it('reads leaves filled out of key order (inserts append their bytes) in key order', () => {
    const tree = new PackedBTree();
    const model = new Map<string, Buffer>();
    // a fixed shuffle of 6000 keys, with values of varying sizes; then replacements that change sizes
    let x = 12345;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x;
    };
    const ids = Array.from({ length: 6000 }, (_, i) => i);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = rand() % (i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    for (const id of ids) {
      const key = `obj/${String(id % 97).padStart(3, '0')}/${id}`;
      const value = Buffer.alloc(rand() % 40, id % 251);
      tree.set(Buffer.from(key), value);
      model.set(key, value);
    }
    for (let i = 0; i < ids.length; i += 7) {
      const key = `obj/${String(ids[i]! % 97).padStart(3, '0')}/${ids[i]}`;
      const value = Buffer.alloc(rand() % 60, 3);
      tree.set(Buffer.from(key), value);
      model.set(key, value);
    }
    tree.checkInvariants();
    const sorted = [...model.keys()].map((k) => Buffer.from(k)).sort(Buffer.compare);
    // keys copied stretch by stretch, forwards and backwards
    const out: Buffer[] = [];
    const c = tree.cursor(0);
    while (c.takeKeys(333, 4, false, out) > 0);
    expect(out.map((b) => b.toString())).toEqual(sorted.map((k) => k.subarray(4).toString()));
    const back: Buffer[] = [];
    const r = tree.cursor(tree.size - 1);
    while (r.takeKeys(500, 0, true, back) > 0);
    expect(back.map((b) => b.toString())).toEqual(sorted.map((k) => k.toString()).reverse());
    // the same a leaf stretch at a time, to be read later (KeyRange), forwards and backwards
    const stretches = (range: ReturnType<PackedBTree['keyRange']>): string[] => {
      const keys: string[] = [];
      range.visit({
        stretch(buf, base, end, spans, k) {
          for (let j = 0; j < k; j++) {
            const [s, len] = [spans[2 * j]!, spans[2 * j + 1]!];
            expect(s >= base && s + len <= end).toBe(true);
            keys.push(buf.toString('latin1', s, s + len));
          }
        },
      });
      return keys;
    };
    const range = tree.keyRange(100, 2500, 2, false);
    expect(stretches(range)).toEqual(sorted.slice(100, 2600).map((k) => k.subarray(2).toString()));
    const down = tree.keyRange(2599, 2500, 0, true);
    expect(stretches(down)).toEqual(
      sorted
        .slice(100, 2600)
        .map((k) => k.toString())
        .reverse(),
    );
    range.release();
    down.release();
    expect(() => range.keys()).toThrow('release');
    expect(() => tree.keyRange(100, tree.size, 0, false)).toThrow(RangeError);
    // a snapshot holds each leaf's entries in key order
    let last: Buffer | null = null;
    let n = 0;
    for (const leaf of tree.packedLeaves()) {
      let p = 0;
      for (let i = 0; i < leaf.count; i++) {
        const kl = leaf.entries[p]!;
        const key = Buffer.from(leaf.entries.subarray(p + 1, p + 1 + kl));
        expect(last === null || Buffer.compare(last, key) < 0).toBe(true);
        expect(key.equals(sorted[n]!)).toBe(true);
        const tag = leaf.entries[p + 1 + kl]!;
        p += 2 + kl + (tag === 0 ? 0 : tag - 1);
        last = key;
        n++;
      }
      expect(p).toBe(leaf.entries.length);
    }
    expect(n).toBe(sorted.length);
    const copy = PackedBTree.fromPackedLeaves(tree.packedLeaves());
    copy.checkInvariants();
    expect([...copy.entries()]).toEqual([...tree.entries()]);
    for (const [k, v] of model) expect(tree.getValue(Buffer.from(k))).toEqual(v);
    // removals and merges of such leaves
    for (let i = 0; i < sorted.length; i += 3) tree.delete(sorted[i]!);
    tree.checkInvariants();
    expect(tree.size).toBe(sorted.length - Math.ceil(sorted.length / 3));
  });

  it('rejects snapshot leaves whose bytes do not hold their entries (truncated, extra, garbage), never hanging', () => {
    const tree = new PackedBTree();
    for (let i = 0; i < 300; i++) tree.set(Buffer.from(`k/${'x'.repeat(i % 200)}/${i}`), Buffer.alloc(i % 150, 1));
    const leaves = [...tree.packedLeaves()];
    expect(PackedBTree.fromPackedLeaves(leaves).size).toBe(300);
    const with_ = (j: number, entries: Buffer, count = leaves[j]!.count) =>
      leaves.map((l, i) => (i === j ? { ...l, entries, count } : l));
    const e = leaves[0]!.entries;
    // cut short at every length, one byte too many, one entry more than the bytes hold
    for (let cut = 0; cut < e.length; cut += 7) {
      expect(() => PackedBTree.fromPackedLeaves(with_(0, e.subarray(0, cut)))).toThrow();
    }
    expect(() => PackedBTree.fromPackedLeaves(with_(0, Buffer.concat([e, Buffer.from([0])])))).toThrow();
    expect(() => PackedBTree.fromPackedLeaves(with_(0, e, leaves[0]!.count + 1))).toThrow();
    // varints that never end, or run past the end
    expect(() =>
      PackedBTree.fromPackedLeaves([{ entries: Buffer.alloc(64, 0xff), count: 1, weights: null }]),
    ).toThrow();
    expect(() => PackedBTree.fromPackedLeaves([{ entries: Buffer.from([0x80]), count: 1, weights: null }])).toThrow();
  });

  it('holds very large entries (Uint32 offsets)', () => {
    const tree = new PackedBTree();
    const big = Buffer.alloc(70_000, 7);
    tree.set(Buffer.from('b'), big);
    tree.set(Buffer.from('a'), Buffer.from('x'));
    tree.set(Buffer.from('c'), big);
    tree.checkInvariants();
    expect(tree.getValue(Buffer.from('c'))?.length).toBe(70_000);
    expect(tree.getValue(Buffer.from('a'))?.toString()).toBe('x');
  });
});

/** The S3 index's classifier (src/index/plain-keys.ts), written again: keys JSON or XML would escape, or not ASCII. */
const notPlain: KeyClassifier = (buf, s, e) => {
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b >= 0x7f || '"&\'<>\\'.includes(String.fromCharCode(b))) return true;
  }
  return false;
};

describe('PackedBTree seek cursors', () => {
  it('counts the keys its KeyClassifier flags per leaf; without one, no leaf is plain', () => {
    const keys = Array.from({ length: 300 }, (_, i) => Buffer.from(i % 50 === 7 ? `k${i}<&>` : `k${i}`));
    const flagged = new PackedBTree(SMALL, undefined, notPlain);
    const none = new PackedBTree(SMALL);
    for (const k of keys) {
      flagged.set(k);
      none.set(k);
    }
    for (let i = 0; i < 300; i += 3) flagged.delete(keys[i]!);
    flagged.checkInvariants();
    none.checkInvariants();
    const plainLeaves = (tree: PackedBTree): boolean[] => {
      const out: boolean[] = [];
      for (const c = tree.seekCursor(Buffer.alloc(0), false); c.valid; c.next()) {
        c.stableBuf();
        out.push(c.stablePlain());
        if (!c.stablePlain()) expect(c.stableText()).toBeUndefined();
      }
      return out;
    };
    const f = plainLeaves(flagged);
    expect(f.some((p) => p)).toBe(true);
    expect(f.some((p) => !p)).toBe(true);
    expect(plainLeaves(none).every((p) => !p)).toBe(true);
  });

  it('seekCursor and forward seek land on the first key ≥ (or >) the target, within a leaf or by descent', () => {
    const byteKey = fc.uint8Array({ minLength: 0, maxLength: 4, max: 6 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(
        fc.array(byteKey, { maxLength: 120 }),
        fc.array(fc.tuple(byteKey, fc.boolean()), { minLength: 1, maxLength: 8 }),
        (keys, targets) => {
          const tree = new PackedBTree(SMALL, undefined, notPlain);
          for (const k of keys) tree.set(k, k.length % 2 ? undefined : Buffer.concat([Buffer.from('v'), k]));
          const sorted = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
          const firstAt = (k: Buffer, ex: boolean, from: number): number => {
            let i = from;
            while (i < sorted.length && Buffer.compare(sorted[i]!, k) < (ex ? 1 : 0)) i++;
            return i;
          };
          const ordered = targets.slice().sort((a, b) => Buffer.compare(a[0], b[0]));
          const [k0, ex0] = ordered[0]!;
          const c = tree.seekCursor(k0, ex0);
          let at = firstAt(k0, ex0, 0);
          expect(c.valid).toBe(at < sorted.length);
          if (c.valid) expect(c.key()).toEqual(sorted[at]);
          for (const [k, ex] of ordered.slice(1)) {
            if (!c.valid) break;
            // half the time with the caller's hint: how many leading bytes k shares with the current key (≤ k)
            const cur = c.key();
            c.seek(k, ex, k.length % 2 === 0 && Buffer.compare(cur, k) <= 0 ? commonPrefix(cur, k) : 0);
            at = Math.max(at, firstAt(k, ex, 0));
            expect(c.valid).toBe(at < sorted.length);
            if (!c.valid) break;
            expect(c.key()).toEqual(sorted[at]);
            expect(c.value()).toEqual(
              sorted[at]!.length % 2 ? undefined : Buffer.concat([Buffer.from('v'), sorted[at]!]),
            );
            c.keyBuf();
            const stable = c.stableBuf();
            const base = c.stableBase;
            expect(stable.subarray(c.keyStart - base, c.keyEnd - base)).toEqual(sorted[at]);
            if (c.valueBounds()) expect(stable.subarray(c.valueStart - base, c.valueEnd - base)).toEqual(c.value());
            else expect(c.value()).toBeUndefined();
            // the latin1 decode of the copy: only for a leaf of ASCII keys, and then a key is its substring
            const text = c.stableText();
            if (sorted[at]!.some((b) => b >= 0x80)) expect(text).toBeUndefined();
            // the leaf is plain only when every key is printable ASCII that JSON and XML carry as it is
            const plain = sorted[at]!.every(
              (b) => b >= 0x20 && b < 0x7f && !'"&\'<>\\'.includes(String.fromCharCode(b)),
            );
            if (c.stablePlain()) expect(plain).toBe(true);
            if (!plain) expect(c.stablePlain()).toBe(false);
            if (text !== undefined)
              expect(text.substring(c.keyStart - base, c.keyEnd - base)).toBe(sorted[at]!.toString());
            if (c.next()) at++;
            else at = sorted.length;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('PackedBTree leaf buffers', () => {
  it('are reused across leaves (the free lists of outgrown buffers) without two leaves ever sharing one', () => {
    // default limits, so leaf buffers take the size classes that the free lists recycle
    const tree = new PackedBTree();
    const model = new Map<string, string>();
    const weights = new Map<string, number>();
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 60_000; step++) {
      const k = `key/${String(rnd(8000)).padStart(5, '0')}`;
      const r = rnd(10);
      if (r < 7) {
        // values of varied sizes make leaves grow, shrink and split at many different sizes
        const v = `${k}:${step}:${'x'.repeat(rnd(120))}`;
        // some weights 0, so that leaves drop and re-create their weight arrays (reused ones must come back zeroed)
        const w = r < 2 ? 0 : v.length;
        tree.set(Buffer.from(k), Buffer.from(v), w);
        model.set(k, v);
        weights.set(k, w);
      } else {
        tree.delete(Buffer.from(k));
        model.delete(k);
        weights.delete(k);
      }
    }
    tree.checkInvariants();
    expect(tree.size).toBe(model.size);
    expect(tree.totalWeight).toBe([...weights.values()].reduce((a, b) => a + b, 0));
    const sorted = [...weights.keys()].sort();
    for (let i = 0; i + 500 <= sorted.length; i += 997) {
      const want = sorted.slice(i, i + 500).reduce((a, k) => a + weights.get(k)!, 0);
      expect(tree.weightBetween(i, i + 500)).toBe(want);
    }
    for (const [k, v] of model) expect(tree.getValue(Buffer.from(k))?.toString()).toBe(v);
    const c = tree.seekCursor(Buffer.alloc(0), false);
    const keys: string[] = [];
    for (; c.valid; c.next()) keys.push(c.key().toString());
    expect(keys).toEqual([...model.keys()].sort());
  });
});

describe('PackedBTree overflowing leaves', () => {
  it('borrow the buffer of the class above the leaf maximum and give it back at the split (no allocation per split)', () => {
    // descending keys: every insert lands at the front of the first leaf, which overflows and splits again and again
    const tree = new PackedBTree();
    const value = Buffer.alloc(60, 1);
    const leavesBefore = tree.stats().leaves;
    const before = bufferAllocations();
    for (let i = 20_000; i > 0; i--) tree.set(Buffer.from(`k/${String(i).padStart(6, '0')}`), value, i);
    const newLeaves = tree.stats().leaves - leavesBefore;
    const allocated = bufferAllocations() - before;
    expect(newLeaves).toBeGreaterThan(300);
    // each split needs one buffer for its new leaf; an exact-size buffer per overflow would double that (measured:
    // 373 allocations for 337 new leaves with the overflow class, 709 without)
    expect(allocated).toBeLessThan(newLeaves * 1.5);
    tree.checkInvariants();
  });
});

describe('PackedBTree derived weights', () => {
  it('keep exact sums through deletes that merge leaves, range removals and replacements', () => {
    const weightOf: WeightOf = (b, s, e) => (e > s ? b[s]! * 1000 + (e - s) : 0);
    const tree = new PackedBTree({ leafMaxEntries: 16, leafMaxBytes: 4096, innerMax: 4 }, weightOf);
    const model = new Map<string, number>();
    const value = (i: number) => Buffer.from([i % 251, ...Buffer.from(`v${i}`)]);
    for (let i = 0; i < 2000; i++) {
      const k = `k${String(i).padStart(5, '0')}`;
      const v = value(i);
      tree.set(Buffer.from(k), v, 999_999); // the given weight is ignored
      model.set(k, weightOf(v, 0, v.length));
    }
    const leavesBefore = tree.stats().leaves;
    // seven of every eight keys go: leaves fall below a quarter full and merge with their neighbours
    for (let i = 0; i < 2000; i++) {
      if (i % 8 === 0) continue;
      const k = `k${String(i).padStart(5, '0')}`;
      tree.delete(Buffer.from(k));
      model.delete(k);
    }
    expect(tree.stats().leaves).toBeLessThan(leavesBefore * 0.8);
    // replacements with values of other weights
    for (let i = 0; i < 2000; i += 8) {
      const k = `k${String(i).padStart(5, '0')}`;
      const v = value(i + 7);
      tree.update(Buffer.from(k), v, 0);
      model.set(k, weightOf(v, 0, v.length));
    }
    tree.removeRange(10, 60);
    const keys = [...model.keys()].sort();
    for (const k of keys.splice(10, 50)) model.delete(k);
    tree.checkInvariants();
    const weights = [...model.keys()].sort().map((k) => model.get(k)!);
    expect(tree.size).toBe(weights.length);
    expect(tree.totalWeight).toBe(weights.reduce((a, b) => a + b, 0));
    for (let a = 0; a < weights.length; a += 37) {
      const b = Math.min(weights.length, a + 101);
      expect(tree.weightBetween(a, b)).toBe(weights.slice(a, b).reduce((x, y) => x + y, 0));
    }
    expect([...tree.entries()].map((e) => e.weight)).toEqual(weights);
  });
});

describe('PackedBTree per-entry weights', () => {
  it('stay zero for the entries of a merged leaf that had no weight array (found by the model test)', () => {
    // a split leaves [255] alone in a leaf without weights; the delete merges it back into a leaf whose array still
    // held a weight past its count
    const t = new PackedBTree({ leafMaxEntries: 8, leafMaxBytes: 256, innerMax: 5 });
    t.insert(Buffer.from([255]), Buffer.alloc(113), 0);
    t.insert(Buffer.alloc(0), Buffer.alloc(119), 0);
    t.insert(Buffer.from('f0908080f0908080e0a080f0908080e0a080', 'hex'), undefined, 1);
    t.delete(Buffer.alloc(0));
    t.checkInvariants();
    expect(t.get(Buffer.from([255]))?.weight).toBe(0);
    expect(t.totalWeight).toBe(1);
  });

  it('start at zero for the entries of a leaf that had none, also in an array reused from another tree', () => {
    const key = (i: number) => Buffer.from(`w/${String(i).padStart(6, '0')}`);
    // a weighted tree, emptied: its weight arrays go to the free lists with their (non-zero) contents
    const a = new PackedBTree();
    for (let i = 0; i < 20_000; i++) a.set(key(i), undefined, 1_000_000 + i);
    for (let i = 0; i < 20_000; i++) a.delete(key(i));
    // an unweighted tree: no weight arrays, until one entry per leaf-sized stretch gets a weight
    const b = new PackedBTree();
    for (let i = 0; i < 20_000; i++) b.set(key(i), undefined, 0);
    for (let i = 0; i < 20_000; i += 50) b.set(key(i), undefined, 7);
    b.checkInvariants();
    expect(b.totalWeight).toBe(7 * 400);
    expect(b.weightBetween(0, 10_000)).toBe(7 * 200);
    for (let i = 1; i < 20_000; i += 50) expect(b.get(key(i))?.weight).toBe(0);
  });
});

describe('TreeCursor.stableBuf', () => {
  it('gives copies that later writes to the tree and later listings never change', () => {
    const tree = new PackedBTree();
    const key = (i: number) => Buffer.from(`k/${String(i).padStart(6, '0')}`);
    for (let i = 0; i < 5000; i += 2) tree.insert(key(i), Buffer.from(`v${i}`));
    // keep every row of a full walk: several leaves, so several copies and more than one shared slab
    const kept: Array<{ buf: Buffer; ks: number; ke: number; i: number }> = [];
    const c = tree.seekCursor(Buffer.alloc(0), false);
    for (let i = 0; c.valid; i += 2, c.next()) {
      c.keyBuf();
      const buf = c.stableBuf();
      kept.push({ buf, ks: c.keyStart - c.stableBase, ke: c.keyEnd - c.stableBase, i });
    }
    for (let i = 1; i < 5000; i += 2) tree.insert(key(i), Buffer.from(`w${i}`));
    for (let i = 0; i < 5000; i += 4) tree.delete(key(i));
    // more walks take more copies from the slabs
    for (let r = 0; r < 20; r++) {
      const d = tree.seekCursor(key(r * 200), false);
      for (let n = 0; n < 300 && d.valid; n++, d.next()) d.stableBuf();
    }
    expect(kept.length).toBe(2500);
    for (const { buf, ks, ke, i } of kept) expect(buf.subarray(ks, ke)).toEqual(key(i));
  });
});

const commonPrefix = (a: Buffer, b: Buffer): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

describe('PackedBTree searches skip the bytes shared with their bounds', () => {
  it('rank, lowerBound, getValue and seeks agree with a sorted model when keys share long prefixes', () => {
    // long shared prefixes with small differences at varying depths: a search that skipped a byte it should have
    // compared would land on the wrong key
    const part = fc.constantFrom('', 'a', 'b', 'ab', 'a/', 'b/x', '\xff', '\x00');
    const keyOf = (parts: string[]) => Buffer.from(`datalake/events/dt=2024-01-${parts.join('/')}`, 'latin1');
    const keyArbLong = fc.array(part, { minLength: 0, maxLength: 5 }).map(keyOf);
    fc.assert(
      fc.property(fc.array(keyArbLong, { maxLength: 200 }), fc.array(keyArbLong, { maxLength: 20 }), (keys, probes) => {
        const tree = new PackedBTree(SMALL);
        for (const k of keys) tree.set(k, Buffer.from('v'));
        tree.checkInvariants();
        const sorted = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
        const below = (k: Buffer) => sorted.filter((x) => Buffer.compare(x, k) < 0).length;
        for (const p of probes) {
          const n = below(p);
          const present = n < sorted.length && sorted[n]!.equals(p);
          expect(tree.lowerBound(p, false)).toBe(n);
          expect(tree.rank(p)).toBe(present ? n : -1);
          expect(tree.getValue(p)).toEqual(present ? Buffer.from('v') : null);
        }
        const ordered = probes.slice().sort(Buffer.compare);
        if (ordered.length === 0) return;
        const c = tree.seekCursor(ordered[0]!, false);
        for (const p of ordered) {
          if (!c.valid) break;
          const cur = c.key();
          c.seek(p, false, Buffer.compare(cur, p) <= 0 ? commonPrefix(cur, p) : 0);
          const n = Math.max(
            below(p),
            sorted.findIndex((x) => x.equals(cur)),
          );
          expect(c.valid).toBe(n < sorted.length);
          if (c.valid) expect(c.key()).toEqual(sorted[n]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('PackedBTree read-modify-write', () => {
  it('a write right after getValue of the same key object (reused descent) keeps the tree exact', () => {
    const byteKey = fc.uint8Array({ minLength: 1, maxLength: 3, max: 5 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.array(fc.tuple(byteKey, fc.integer({ min: 0, max: 3 })), { maxLength: 200 }), (ops) => {
        const tree = new PackedBTree(SMALL);
        const other = new PackedBTree(SMALL);
        const model = new Map<string, Buffer>();
        for (const [k, what] of ops) {
          if (what === 2) expect(tree.has(k)).toBe(model.has(k.toString('hex')));
          else expect(tree.getValue(k) ?? null).toEqual(model.get(k.toString('hex')) ?? null);
          if (what === 3) other.set(k, k); // another tree descends in between: the hint must not be used
          if (what === 0 || what === 3) {
            tree.delete(k);
            model.delete(k.toString('hex'));
          } else {
            const v = Buffer.concat([k, Buffer.alloc(what * 7, what)]);
            tree.set(k, v);
            model.set(k.toString('hex'), v);
          }
        }
        tree.checkInvariants();
        const keys = [...model.keys()].sort();
        expect([...tree.entries()].map((e) => e.key.toString('hex'))).toEqual(keys);
        for (const k of keys) expect(tree.getValue(Buffer.from(k, 'hex'))).toEqual(model.get(k));
      }),
      { numRuns: 200 },
    );
  });
});
