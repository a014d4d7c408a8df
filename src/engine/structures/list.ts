/**
 * The value of a LIST key: a sequence of byte strings with cheap access at both ends.
 *
 * Two representations, switched automatically:
 *
 * - packed (small lists: at most PACKED_MAX_ENTRIES entries, each at most PACKED_MAX_ENTRY bytes, Redis's
 *   list-max-listpack-size defaults): one Buffer holding every entry as `[length byte][bytes]`. One allocation
 *   instead of one Buffer object per entry. A packed Buffer is never written after it is built (every change
 *   builds a new one, or takes a view of the old one), so entries handed out are views that stay valid.
 *   Pops from the left are O(1) (a view of the rest); everything else is O(size), bounded by ~8 KiB.
 * - ring (large lists): a ring buffer of Buffers whose capacity is a power of two: push and pop at both ends
 *   O(1) amortized, get/set by index O(1), insert/remove in the middle O(min(i, n - i)), capacity halves when
 *   the list falls to a quarter of it. A ring list that shrinks to PACK_BACK_ENTRIES small entries packs again
 *   (the gap between the two thresholds keeps a list at the border from switching on every push and pop).
 *
 * Indexes are 0-based from the left and must be in range (callers resolve Redis's negative indexes).
 * Buffers pushed are not copied in ring mode: callers hand over Buffers nobody writes later (argv is fresh).
 */

export type Side = 'left' | 'right';

export const PACKED_MAX_ENTRIES = 128;
export const PACKED_MAX_ENTRY = 64;
const PACK_BACK_ENTRIES = 32;
const MIN_CAPACITY = 16;

const EMPTY = Buffer.alloc(0);

export class List {
  /** packed mode: the entries; undefined in ring mode */
  private packed: Buffer | undefined = EMPTY;
  /** ring mode: slots, length a power of two */
  private ring: Array<Buffer | undefined> = [];
  private head = 0;
  private n = 0;

  static from(items: Iterable<Buffer>): List {
    const l = new List();
    l.replaceAll(Array.isArray(items) ? (items as Buffer[]) : [...items]);
    return l;
  }

  get length(): number {
    return this.n;
  }

  /** 'packed' or 'ring', for tests and diagnostics. */
  get representation(): 'packed' | 'ring' {
    return this.packed !== undefined ? 'packed' : 'ring';
  }

  clone(): List {
    const l = new List();
    if (this.packed !== undefined) {
      l.packed = this.packed; // never written in place: shared safely
      l.n = this.n;
    } else {
      l.replaceAll(this.toArray());
    }
    return l;
  }

  // ---- ends ----

  push(side: Side, b: Buffer): void {
    if (side === 'left') this.pushLeft(b);
    else this.pushRight(b);
  }

  pop(side: Side): Buffer | undefined {
    return side === 'left' ? this.popLeft() : this.popRight();
  }

  pushRight(b: Buffer): void {
    const p = this.packed;
    if (p !== undefined) {
      if (b.length <= PACKED_MAX_ENTRY && this.n < PACKED_MAX_ENTRIES) {
        const out = Buffer.allocUnsafe(p.length + 1 + b.length);
        p.copy(out, 0);
        out[p.length] = b.length;
        b.copy(out, p.length + 1);
        this.packed = out;
        this.n++;
        return;
      }
      this.toRing();
    }
    this.ensureRoom();
    this.ring[(this.head + this.n) & (this.ring.length - 1)] = b;
    this.n++;
  }

  pushLeft(b: Buffer): void {
    const p = this.packed;
    if (p !== undefined) {
      if (b.length <= PACKED_MAX_ENTRY && this.n < PACKED_MAX_ENTRIES) {
        const out = Buffer.allocUnsafe(p.length + 1 + b.length);
        out[0] = b.length;
        b.copy(out, 1);
        p.copy(out, 1 + b.length);
        this.packed = out;
        this.n++;
        return;
      }
      this.toRing();
    }
    this.ensureRoom();
    this.head = (this.head - 1) & (this.ring.length - 1);
    this.ring[this.head] = b;
    this.n++;
  }

  popLeft(): Buffer | undefined {
    if (this.n === 0) return undefined;
    const p = this.packed;
    if (p !== undefined) {
      const len = p[0]!;
      const v = p.subarray(1, 1 + len);
      this.packed = p.subarray(1 + len);
      this.n--;
      return v;
    }
    const v = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.n--;
    this.afterShrink();
    return v;
  }

  popRight(): Buffer | undefined {
    if (this.n === 0) return undefined;
    const p = this.packed;
    if (p !== undefined) {
      const at = this.packedOffset(this.n - 1);
      const v = p.subarray(at + 1, at + 1 + p[at]!);
      this.packed = p.subarray(0, at);
      this.n--;
      return v;
    }
    const slot = (this.head + this.n - 1) & (this.ring.length - 1);
    const v = this.ring[slot]!;
    this.ring[slot] = undefined;
    this.n--;
    this.afterShrink();
    return v;
  }

  // ---- by index ----

  /** The entry at index i (0 ≤ i < length), else undefined. */
  at(i: number): Buffer | undefined {
    if (i < 0 || i >= this.n) return undefined;
    const p = this.packed;
    if (p !== undefined) {
      const at = this.packedOffset(i);
      return p.subarray(at + 1, at + 1 + p[at]!);
    }
    return this.ring[(this.head + i) & (this.ring.length - 1)];
  }

  /** Replaces the entry at index i; false when i is out of range. */
  set(i: number, b: Buffer): boolean {
    if (i < 0 || i >= this.n) return false;
    if (this.packed !== undefined) {
      const items = this.toArray();
      items[i] = b;
      this.replaceAll(items);
      return true;
    }
    this.ring[(this.head + i) & (this.ring.length - 1)] = b;
    return true;
  }

  /** Inserts b so that it ends up at index i (0 ≤ i ≤ length). */
  insert(i: number, b: Buffer): void {
    if (i < 0 || i > this.n) throw new RangeError(`List.insert: index ${i} out of range`);
    if (i === 0) {
      this.pushLeft(b);
      return;
    }
    if (i === this.n) {
      this.pushRight(b);
      return;
    }
    if (this.packed !== undefined) {
      const items = this.toArray();
      items.splice(i, 0, b);
      this.replaceAll(items);
      return;
    }
    this.ensureRoom();
    const mask = this.ring.length - 1;
    const r = this.ring;
    if (i < this.n - i) {
      // shift the first i entries one slot to the left
      this.head = (this.head - 1) & mask;
      for (let j = 0; j < i; j++) r[(this.head + j) & mask] = r[(this.head + j + 1) & mask];
    } else {
      for (let j = this.n; j > i; j--) r[(this.head + j) & mask] = r[(this.head + j - 1) & mask];
    }
    r[(this.head + i) & mask] = b;
    this.n++;
  }

  /** Removes and returns the entry at index i (0 ≤ i < length). */
  removeAt(i: number): Buffer {
    if (i < 0 || i >= this.n) throw new RangeError(`List.removeAt: index ${i} out of range`);
    if (i === 0) return this.popLeft()!;
    if (i === this.n - 1) return this.popRight()!;
    if (this.packed !== undefined) {
      const items = this.toArray();
      const [v] = items.splice(i, 1);
      this.replaceAll(items);
      return v!;
    }
    const mask = this.ring.length - 1;
    const r = this.ring;
    const v = r[(this.head + i) & mask]!;
    if (i < this.n - 1 - i) {
      for (let j = i; j > 0; j--) r[(this.head + j) & mask] = r[(this.head + j - 1) & mask];
      r[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    } else {
      for (let j = i; j < this.n - 1; j++) r[(this.head + j) & mask] = r[(this.head + j + 1) & mask];
      r[(this.head + this.n - 1) & mask] = undefined;
    }
    this.n--;
    this.afterShrink();
    return v;
  }

  // ---- ranges and iteration ----

  /** Entries [start, end) in order (clamped to the list). */
  range(start: number, end: number): Buffer[] {
    const s = Math.max(0, start);
    const e = Math.min(this.n, end);
    const out: Buffer[] = [];
    if (s >= e) return out;
    const p = this.packed;
    if (p !== undefined) {
      let at = this.packedOffset(s);
      for (let i = s; i < e; i++) {
        const len = p[at]!;
        out.push(p.subarray(at + 1, at + 1 + len));
        at += 1 + len;
      }
      return out;
    }
    const mask = this.ring.length - 1;
    for (let i = s; i < e; i++) out.push(this.ring[(this.head + i) & mask]!);
    return out;
  }

  toArray(): Buffer[] {
    return this.range(0, this.n);
  }

  /** Like Array.prototype.map over the entries in order. */
  map<T>(f: (b: Buffer, i: number) => T): T[] {
    const out: T[] = [];
    let i = 0;
    for (const b of this.values()) out.push(f(b, i++));
    return out;
  }

  [Symbol.iterator](): Iterator<Buffer> {
    return this.values();
  }

  /** Entries in order from the left; the list must not change while iterating. */
  *values(): Generator<Buffer, void, undefined> {
    const p = this.packed;
    if (p !== undefined) {
      let at = 0;
      for (let i = 0; i < this.n; i++) {
        const len = p[at]!;
        yield p.subarray(at + 1, at + 1 + len);
        at += 1 + len;
      }
      return;
    }
    const mask = this.ring.length - 1;
    for (let i = 0; i < this.n; i++) yield this.ring[(this.head + i) & mask]!;
  }

  /** Entries with their indexes from the right end to the left; the list must not change while iterating. */
  *valuesFromRight(): Generator<[number, Buffer], void, undefined> {
    if (this.packed !== undefined) {
      const items = this.toArray();
      for (let i = items.length - 1; i >= 0; i--) yield [i, items[i]!];
      return;
    }
    const mask = this.ring.length - 1;
    for (let i = this.n - 1; i >= 0; i--) yield [i, this.ring[(this.head + i) & mask]!];
  }

  // ---- bulk changes ----

  /** Keeps only [start, end) (clamped); O(entries removed) in ring mode. */
  trim(start: number, end: number): void {
    const s = Math.max(0, Math.min(start, this.n));
    const e = Math.max(s, Math.min(end, this.n));
    if (this.packed !== undefined) {
      if (s === 0 && e === this.n) return;
      this.replaceAll(this.range(s, e));
      return;
    }
    const dropRight = this.n - e;
    for (let i = 0; i < dropRight; i++) this.popRight();
    for (let i = 0; i < s; i++) this.popLeft();
  }

  /**
   * Removes entries equal to `value` (LREM): count > 0 the first `count` from the left, count < 0 the first
   * |count| from the right, 0 all of them. Returns how many were removed.
   */
  removeEqual(value: Buffer, count: number): number {
    const items = this.toArray();
    const limit = count === 0 ? Number.POSITIVE_INFINITY : Math.abs(count);
    let removed = 0;
    const keep: boolean[] = new Array(items.length).fill(true);
    if (count >= 0) {
      for (let i = 0; i < items.length && removed < limit; i++)
        if (items[i]!.equals(value)) {
          keep[i] = false;
          removed++;
        }
    } else {
      for (let i = items.length - 1; i >= 0 && removed < limit; i--)
        if (items[i]!.equals(value)) {
          keep[i] = false;
          removed++;
        }
    }
    if (removed > 0) this.replaceAll(items.filter((_, i) => keep[i]));
    return removed;
  }

  // ---- internals ----

  /** Rebuilds from `items`, packed when they fit. */
  private replaceAll(items: Buffer[]): void {
    this.n = items.length;
    this.head = 0;
    if (fitsPacked(items)) {
      let size = items.length;
      for (const b of items) size += b.length;
      const out = Buffer.allocUnsafe(size);
      let at = 0;
      for (const b of items) {
        out[at] = b.length;
        b.copy(out, at + 1);
        at += 1 + b.length;
      }
      this.packed = out;
      this.ring = [];
      return;
    }
    this.packed = undefined;
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    const r: Array<Buffer | undefined> = new Array(cap).fill(undefined);
    for (let i = 0; i < items.length; i++) r[i] = items[i];
    this.ring = r;
  }

  /** Byte offset of entry i's length byte in packed mode. */
  private packedOffset(i: number): number {
    const p = this.packed!;
    let at = 0;
    for (let j = 0; j < i; j++) at += 1 + p[at]!;
    return at;
  }

  private toRing(): void {
    const items = this.toArray();
    this.packed = undefined;
    let cap = MIN_CAPACITY;
    while (cap < items.length + 1) cap *= 2;
    const r: Array<Buffer | undefined> = new Array(cap).fill(undefined);
    for (let i = 0; i < items.length; i++) r[i] = items[i];
    this.ring = r;
    this.head = 0;
  }

  /** Makes room for one more entry in ring mode (doubling the capacity). */
  private ensureRoom(): void {
    if (this.n < this.ring.length) return;
    this.resize(Math.max(MIN_CAPACITY, this.ring.length * 2));
  }

  private resize(cap: number): void {
    const r: Array<Buffer | undefined> = new Array(cap).fill(undefined);
    const mask = this.ring.length - 1;
    for (let i = 0; i < this.n; i++) r[i] = this.ring[(this.head + i) & mask];
    this.ring = r;
    this.head = 0;
  }

  /** After a removal in ring mode: pack small lists again, halve a mostly empty ring. */
  private afterShrink(): void {
    if (this.n <= PACK_BACK_ENTRIES) {
      const mask = this.ring.length - 1;
      let small = true;
      for (let i = 0; i < this.n && small; i++) small = this.ring[(this.head + i) & mask]!.length <= PACKED_MAX_ENTRY;
      if (small) {
        this.replaceAll(this.toArray());
        return;
      }
    }
    if (this.ring.length > MIN_CAPACITY && this.n < this.ring.length / 4) this.resize(this.ring.length / 2);
  }
}

function fitsPacked(items: readonly Buffer[]): boolean {
  if (items.length > PACKED_MAX_ENTRIES) return false;
  for (const b of items) if (b.length > PACKED_MAX_ENTRY) return false;
  return true;
}
