import fc from 'fast-check';
import {
  BulkLoadError,
  type KeyClassifier,
  PackedBTree,
  type TreeLimits,
  TreeLoader,
  type WeightOf,
} from '../../../src/engine/structures/packed-btree';

interface E {
  key: Buffer;
  value: Buffer | undefined;
  weight: number;
}

const SMALL: TreeLimits = { leafMaxEntries: 4, leafMaxBytes: 64, innerMax: 3 };

/** the value's first byte as its weight (a derived weight) */
const firstByte: WeightOf = (b, s, e) => (e > s ? b[s] : 0);
/** keys holding an 'x' */
const hasX: KeyClassifier = (b, s, e) => {
  for (let i = s; i < e; i++) if (b[i] === 0x78) return true;
  return false;
};

function sortedUnique(keys: Buffer[]): Buffer[] {
  const out = keys.slice().sort(Buffer.compare);
  return out.filter((k, i) => i === 0 || !k.equals(out[i - 1]!));
}

function sharedPrefix(a: Buffer | undefined, b: Buffer): number {
  if (a === undefined) return 0;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function entriesOf(t: PackedBTree): E[] {
  return [...t.entries()].map((e) => ({ key: e.key, value: e.value, weight: e.weight }));
}

/** Loads entries front-coded (as a snapshot hands them over), the first of each run of `chunk` sharing nothing. */
function loadFrontCoded(entries: E[], loader: TreeLoader, chunk = 5): PackedBTree {
  entries.forEach((e, i) => {
    const shared = i % chunk === 0 ? 0 : sharedPrefix(entries[i - 1]?.key, e.key);
    // the suffix and value sit inside a larger buffer, as they do in a snapshot section
    const section = Buffer.concat([Buffer.from('pad'), e.key.subarray(shared), e.value ?? Buffer.alloc(0)]);
    const s = 3;
    const len = e.key.length - shared;
    loader.addFrontCoded(
      shared,
      section,
      s,
      len,
      section,
      s + len,
      e.value === undefined ? -1 : e.value.length,
      e.weight,
    );
  });
  return loader.finish();
}

const keyArb = fc.uint8Array({ minLength: 0, maxLength: 24 }).map((a) => Buffer.from(a));
const entriesArb = fc
  .array(fc.tuple(keyArb, fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }), fc.nat(1000)), {
    maxLength: 300,
  })
  .map((rows) => {
    const byKey = new Map<string, E>();
    for (const [k, v, w] of rows)
      byKey.set(k.toString('hex'), { key: k, value: v === undefined ? undefined : Buffer.from(v), weight: w });
    const keys = sortedUnique([...byKey.values()].map((e) => e.key));
    return keys.map((k) => byKey.get(k.toString('hex'))!);
  });

describe('TreeLoader (bulk load of a packed B+tree)', () => {
  test('a loaded tree holds exactly the entries, keeps every invariant, and equals one built by appends', () => {
    fc.assert(
      fc.property(entriesArb, fc.boolean(), (entries, small) => {
        const limits = small ? SMALL : undefined;
        const loader = new TreeLoader(limits);
        for (const e of entries) loader.add(e.key, e.value, e.weight);
        const t = loader.finish();
        t.checkInvariants();
        expect(t.size).toBe(entries.length);
        expect(entriesOf(t)).toEqual(entries);
        expect(t.totalWeight).toBe(entries.reduce((s, e) => s + e.weight, 0));
        const appended = new PackedBTree(limits);
        for (const e of entries) appended.append(e.key, e.value, e.weight);
        expect(entriesOf(t)).toEqual(entriesOf(appended));
        if (entries.length > 0) {
          const r = Math.floor(entries.length / 2);
          expect(t.rank(entries[r]!.key)).toBe(r);
          expect(t.weightBetween(0, r)).toBe(entries.slice(0, r).reduce((s, e) => s + e.weight, 0));
        }
      }),
      { numRuns: 150 },
    );
  });

  test('front-coded input, derived weights and a classifier give the same tree as plain input', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const derived = entries.map((e) => ({
          ...e,
          weight: e.value === undefined ? 0 : firstByte(e.value, 0, e.value.length),
        }));
        const t = loadFrontCoded(entries, new TreeLoader(SMALL, firstByte, hasX));
        t.checkInvariants(); // includes each leaf's flaggedKeys count and weight sum
        expect(entriesOf(t)).toEqual(derived);
        expect(t.totalWeight).toBe(derived.reduce((s, e) => s + e.weight, 0));
      }),
      { numRuns: 150 },
    );
  });

  test('a loaded tree takes inserts, updates and deletes like any other', () => {
    fc.assert(
      fc.property(entriesArb, fc.array(fc.tuple(keyArb, fc.boolean()), { maxLength: 200 }), (entries, ops) => {
        const loader = new TreeLoader(SMALL, firstByte, hasX);
        for (const e of entries) loader.add(e.key, e.value);
        const t = loader.finish();
        const model = new Map(entries.map((e) => [e.key.toString('hex'), e.value]));
        for (const [k, del] of ops) {
          if (del) {
            t.delete(k);
            model.delete(k.toString('hex'));
          } else {
            const v = Buffer.from([k.length, 7]);
            t.set(k, v);
            model.set(k.toString('hex'), v);
          }
        }
        t.checkInvariants();
        const want = [...model.keys()].sort().map((h) => [h, model.get(h)]);
        expect([...t.entries()].map((e) => [e.key.toString('hex'), e.value])).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  test('a large tree: leaves filled to the limits, buffers cut to size, height from innerMax', () => {
    const loader = new TreeLoader();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const key = Buffer.from(`tenant-${String(i % 97).padStart(3, '0')}/obj/${String(i).padStart(8, '0')}`);
      // strictly ascending: the index i is the key's last, zero-padded part, the tenant part only repeats
      loader.add(Buffer.from(`${String(i).padStart(8, '0')}/${key}`), Buffer.alloc(40, i & 0xff));
    }
    const t = loader.finish();
    t.checkInvariants();
    expect(t.size).toBe(n);
    const s = t.stats();
    // entries of ~80 bytes: about a hundred per 8 KiB leaf; every leaf but the last is full
    expect(s.leaves).toBeLessThanOrEqual(Math.ceil(n / 98) + 1);
    expect(s.capacityBytes - s.usedBytes).toBeLessThan(s.leaves * 2 * 128 + 1024); // offsets only: no byte slack
    expect(s.height).toBe(2);
    expect(t.keyAt(n - 1)!.toString()).toMatch(/^00049999\//);
  });

  test('entries larger than a leaf (and than 64 KiB) get a leaf of their own', () => {
    const loader = new TreeLoader();
    loader.add(Buffer.from('a'), Buffer.alloc(10));
    loader.add(Buffer.from('b'), Buffer.alloc(70_000, 1));
    loader.add(Buffer.from('c'), Buffer.alloc(9_000, 2));
    loader.add(Buffer.from('d'));
    const t = loader.finish();
    t.checkInvariants();
    expect(t.getValue(Buffer.from('b'))!.length).toBe(70_000);
    expect(t.getValue(Buffer.from('c'))!.equals(Buffer.alloc(9_000, 2))).toBe(true);
    expect(t.getValue(Buffer.from('d'))).toBeUndefined();
  });

  test('given weights: integers, fractions and negatives are kept exactly', () => {
    const loader = new TreeLoader(SMALL);
    const weights = [0, 3, 2 ** 33, -1.5, 0.25, 0, 0, 0, 0, 7];
    for (const [i, w] of weights.entries()) loader.add(Buffer.from([i]), undefined, w);
    const t = loader.finish();
    t.checkInvariants();
    expect([...t.entries()].map((e) => e.weight)).toEqual(weights);
    expect(t.totalWeight).toBe(weights.reduce((a, b) => a + b, 0));
  });

  test('an empty load is an empty tree that takes writes', () => {
    const t = new TreeLoader(SMALL).finish();
    t.checkInvariants();
    expect(t.size).toBe(0);
    t.set(Buffer.from('k'), Buffer.from('v'));
    t.checkInvariants();
    expect(t.size).toBe(1);
  });

  test('keys out of order, repeated, or sharing more than the previous key are refused', () => {
    const l1 = new TreeLoader();
    l1.add(Buffer.from('b'));
    expect(() => l1.add(Buffer.from('a'))).toThrow(BulkLoadError);
    expect(() => l1.add(Buffer.from('b'))).toThrow(/ascending/);
    expect(() => l1.add(Buffer.from(''))).toThrow(/ascending/);
    const l2 = new TreeLoader();
    const k = Buffer.from('abc');
    expect(() => l2.addFrontCoded(1, k, 0, 3, k, 0, -1, 0)).toThrow(/shares more/);
    l2.addFrontCoded(0, k, 0, 3, k, 0, -1, 0);
    expect(() => l2.addFrontCoded(4, k, 0, 0, k, 0, -1, 0)).toThrow(/shares more/);
    // "ab" + "c" again is "abc": not greater
    expect(() => l2.addFrontCoded(2, k, 2, 1, k, 0, -1, 0)).toThrow(/ascending/);
    l2.addFrontCoded(2, Buffer.from('d'), 0, 1, k, 0, -1, 0);
    expect(l2.finish().keyAt(1)!.toString()).toBe('abd');
  });
});
