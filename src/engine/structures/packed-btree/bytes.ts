/**
 * Byte helpers of the packed B+tree: varints, memcmp-style comparisons that carry their common prefix, the wide-key
 * test, and fresh copies and views of bytes. Pure functions over Uint8Arrays; nothing here keeps state between calls.
 *
 * Varints (used for entry lengths and value tags): 7 bits per byte, least significant first, high bit set on every
 * byte but the last. Lengths below 128 take one byte, which is why the hot loops read the first byte inline and call
 * readVarint/varintEnd only when it is ≥ 0x80.
 *
 * Comparisons: compareFrom returns 0 or ±(1 + the common prefix length), so a search keeps the prefix its key shares
 * with its bounds without an out-parameter (see compareFrom). Each is O(bytes compared).
 */

/** A Buffer of no bytes, for empty slots. */
export const EMPTY = Buffer.alloc(0);

/** The value of the varint at b[p] (varintEnd tells where it ends). */
export function readVarint(b: Uint8Array, p: number): number {
  let c = b[p++];
  if (c < 0x80) return c;
  let x = c & 0x7f;
  let mul = 128;
  for (;;) {
    // past the end (undefined), a loop would never end: only bytes that are not a tree's can get here
    if (p >= b.length || mul > 2 ** 49) throw new Error('PackedBTree: malformed varint');
    c = b[p++];
    x += (c & 0x7f) * mul;
    if (c < 0x80) return x;
    mul *= 128;
  }
}

/** The position after the varint at b[p] (past the end of b, the position after it: readVarint throws there). */
export function varintEnd(b: Uint8Array, p: number): number {
  while (b[p] >= 0x80) p++;
  return p + 1;
}

export function varintSize(x: number): number {
  let s = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 128);
    s++;
  }
  return s;
}

export function writeVarint(b: Uint8Array, p: number, x: number): number {
  while (x >= 0x80) {
    b[p++] = (x % 128) | 0x80;
    x = Math.floor(x / 128);
  }
  b[p++] = x;
  return p;
}

/** memcmp(a, b[bs, be)) — negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array, bs: number, be: number): number {
  return compareFrom(a, b, bs, be, 0);
}

/**
 * memcmp(a, b[bs, be)) for strings known to share their first `from` bytes: 0 when equal, else ±(1 + the length of
 * their common prefix), positive when a sorts after (lcpAbove, lcpBelow). Searches keep the common prefix of the key
 * with their lower and upper bounds (every key between two bounds shares at least the smaller of those two prefixes
 * with the key, since strings with a given prefix are contiguous in byte order) and compare only the bytes after it:
 * keys under one long prefix ("datalake/events/dt=2024-…") cost a few byte compares each, not ~30. The prefix comes
 * back in the result rather than in a variable beside it, so that no search shares state with another.
 */
export function compareFrom(a: Uint8Array, b: Uint8Array, bs: number, be: number, from: number): number {
  const al = a.length;
  const bl = be - bs;
  const n = Math.min(al, bl);
  let i = from;
  while (i < n && a[i] === b[bs + i]) i++;
  if (i < n) return a[i] > b[bs + i] ? i + 1 : -1 - i;
  return al > bl ? i + 1 : al < bl ? -1 - i : 0;
}

/** The common prefix of a and b after compareFrom(a, b, …) returned c ≥ 0 (a sorts after b, or is equal to it). */
export function lcpAbove(c: number, a: Uint8Array): number {
  return c > 0 ? c - 1 : a.length;
}

/** The common prefix of a and b after compareFrom(a, b, …) returned c ≤ 0 (a sorts before b, or is equal to it). */
export function lcpBelow(c: number, a: Uint8Array): number {
  return c < 0 ? -1 - c : a.length;
}

/** True when b[s, e) starts with prefix. */
export function startsWith(b: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (e - s < n) return false;
  for (let i = 0; i < n; i++) if (b[s + i] !== prefix[i]) return false;
  return true;
}

/** True when b[s, e) has a byte ≥ 0x80 (is not ASCII). */
export function isWideKey(b: Uint8Array, s: number, e: number): boolean {
  let x = 0;
  for (let i = s; i < e; i++) x |= b[i];
  return x >= 0x80;
}

/** A fresh Buffer holding a copy of b[s, e) (results never alias leaf storage, which is modified in place). */
export function copyBytes(b: Uint8Array, s: number, e: number): Buffer {
  const out = Buffer.allocUnsafe(e - s);
  if (e - s <= 32) {
    for (let i = s; i < e; i++) out[i - s] = b[i];
  } else {
    out.set(b.subarray(s, e));
  }
  return out;
}

/**
 * A Buffer view on ab[offset, offset + length). Node's Buffer[Symbol.species] is its internal FastBuffer class,
 * whose constructor makes a view in less than half the time of subarray() or Buffer.from(arrayBuffer, …).
 */
const BufferView = (Buffer as unknown as { [Symbol.species]: unknown })[Symbol.species];
export const viewOf: (ab: ArrayBufferLike, offset: number, length: number) => Buffer =
  typeof BufferView === 'function' && Buffer.isBuffer(new (BufferView as BufferViewClass)(new ArrayBuffer(1), 0, 1))
    ? (ab, offset, length) => new (BufferView as BufferViewClass)(ab, offset, length)
    : (ab, offset, length) => Buffer.from(ab, offset, length);
type BufferViewClass = new (ab: ArrayBufferLike, offset: number, length: number) => Buffer;
