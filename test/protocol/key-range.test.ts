/**
 * The RESP encoder of key ranges (src/protocol/key-range.ts), which frames the keys a KeyRange hands out a leaf
 * stretch at a time, against a reference encoder that frames each key on its own. Keys are binary, hold \r\n, and come
 * in every length class (empty, short, > 127 bytes: a multi-byte length in the leaf, long enough that a stretch is
 * staged); trees are filled in random order (leaves whose bytes are not in key order) and ranges run both ways.
 */
import fc from 'fast-check';
import { KeyRangeReply } from '../../src/engine/reply';
import { PackedBTree, type TreeLimits } from '../../src/engine/structures/packed-btree';
import { encodeKeyRange } from '../../src/protocol/key-range';
import { encodeReply } from '../../src/protocol/writer';

/** `*N\r\n` + `$len\r\n<key>\r\n` for each key. */
function reference(keys: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${keys.length}\r\n`, 'latin1')];
  for (const k of keys) parts.push(Buffer.from(`$${k.length}\r\n`, 'latin1'), k, Buffer.from('\r\n', 'latin1'));
  return Buffer.concat(parts);
}

const SMALL: TreeLimits = { leafMaxEntries: 6, leafMaxBytes: 512, innerMax: 4 };

const key = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('\r\n', 'a\r\nb', '$3\r\n', '*1\r\n').map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 120, maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 800, max: 3000 }).map((n) => Buffer.alloc(n, n & 0xff)) },
);

describe('encodeKeyRange', () => {
  it('encodes a range like the reference encoder, forwards and backwards, skipping leading bytes', () => {
    fc.assert(
      fc.property(
        fc.array(
          key.map((k) => Buffer.from(k)),
          { minLength: 1, maxLength: 150 },
        ),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (keys, small, a, b, reverse, skip) => {
          const tree = new PackedBTree(small ? SMALL : undefined);
          for (const k of keys) tree.set(k);
          const sorted = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
          const n = sorted.length;
          const start = a % n;
          const count = 1 + (b % (n - start));
          const rank = reverse ? start + count - 1 : start;
          let expected = sorted.slice(start, start + count).map((k) => k.subarray(Math.min(skip, k.length)));
          if (reverse) expected = expected.reverse();
          const range = tree.keyRange(rank, count, skip, reverse);
          expect(encodeKeyRange(range).equals(reference(expected))).toBe(true);
          // the writer's path (in its slab, or in memory of its own for a long reply), twice
          const r = new KeyRangeReply(range);
          expect(encodeReply(r, 2).equals(reference(expected))).toBe(true);
          expect(encodeReply(r, 3).equals(reference(expected))).toBe(true);
          expect(() => range.keys()).toThrow('release');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes the range as it was when made, when the tree changes before the reply is written', () => {
    fc.assert(
      fc.property(
        fc.array(
          key.map((k) => Buffer.from(k)),
          { minLength: 1, maxLength: 80 },
        ),
        fc.array(
          key.map((k) => Buffer.from(k)),
          { maxLength: 30 },
        ),
        fc.boolean(),
        (keys, writes, reverse) => {
          const tree = new PackedBTree(SMALL);
          for (const k of keys) tree.set(k);
          const sorted = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
          const expected = reverse ? sorted.slice().reverse() : sorted;
          const replies = [0, 1].map(
            () => new KeyRangeReply(tree.keyRange(reverse ? sorted.length - 1 : 0, sorted.length, 0, reverse)),
          );
          // deletes and inserts move, split, merge and free the leaves the ranges stood on
          for (const [i, w] of writes.entries()) {
            if (i % 2) tree.delete(sorted[i % sorted.length]!);
            else tree.set(w);
          }
          tree.removeRange(0, 2);
          tree.checkInvariants();
          expect(encodeReply(replies[0]!, 2).equals(reference(expected))).toBe(true);
          expect(replies[1]!.v.map((x) => (x.t === 'bulk' ? x.v.toString('hex') : x.t))).toEqual(
            expected.map((k) => k.toString('hex')),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps at most 64 ranges watched: an unread one beyond is settled, and still reads right', () => {
    const tree = new PackedBTree(SMALL);
    const keys = Array.from({ length: 40 }, (_, i) => Buffer.from(`k${String(i).padStart(3, '0')}`));
    for (const k of keys) tree.set(k);
    const replies = Array.from({ length: 100 }, (_, i) => new KeyRangeReply(tree.keyRange(i % 30, 10, 0, false)));
    tree.clear();
    for (const [i, r] of replies.entries()) {
      expect(encodeReply(r, 2).equals(reference(keys.slice(i % 30, (i % 30) + 10)))).toBe(true);
    }
  });
});
