/**
 * The memory the packed B+trees draw on: buffers for leaves (entry bytes, offsets, weights) and for packed
 * separators, and the copies handed out to readers.
 *
 * Leaves are modified in place and keep a little slack capacity (capacities come from ×1.125 size series, so at most
 * ~1/8; the tail leaf of a sequential load doubles, and is trimmed exactly when it fills). A leaf gets another buffer
 * only when it grows past its capacity or shrinks well below it, and then mostly one that another leaf has just
 * outgrown: each size class keeps a small free list. Allocating an ArrayBuffer costs V8 several µs (allocation,
 * external-memory accounting, the later sweep), so the free lists save most of them, and copy-on-write leaves were
 * never an option; instead every key and value a tree hands out is a fresh copy, never a view on leaf storage.
 * Copies for listings come from 64 KiB slabs (SlabArena): a view on a slab costs far less than a Buffer of its own.
 *
 * Why these are module-level: they are caches of memory that no tree holds, not scratch. A buffer is in exactly one
 * place at a time (a leaf, a free list, or a copy handed out), any tree may take any free one, and a slab copy is
 * never written again once handed out; so any number of trees, cursors and snapshots can share them in any order,
 * and sharing is what makes them pay (one tree's outgrown buffer is another's next). The lists are bounded
 * (FREE_PER_CLASS).
 *
 * Cost: take/release O(log classes) (a binary search over ~30 class sizes); a slab copy O(bytes).
 */
import { copyBytes, EMPTY, viewOf } from './bytes';
import { DEFAULT_LIMITS } from './limits';

/** ArrayBuffers allocated for leaf and separator storage so far (a diagnostic: tests check the free lists work). */
const allocations = { buffers: 0 };
export const bufferAllocations = (): number => allocations.buffers;

export function allocBuf(n: number): Buffer {
  if (n === 0) return EMPTY;
  allocations.buffers++;
  // Own ArrayBuffer (not a slice of Node's shared pool) so a long-lived leaf never pins an 8 KiB pool slab.
  return Buffer.allocUnsafeSlow(n);
}

/** How a leaf grows: to the class that fits (GROW_NORMAL), or to twice its need (GROW_TAIL: a sequential load). */
export const GROW_NORMAL = 0;
export const GROW_TAIL = 1;

/** Leaf buffer capacities: a geometric series (×1.125) ending at the default 8 KiB leaf. */
export const BUF_CLASSES: number[] = [];
for (let c = DEFAULT_LIMITS.leafMaxBytes; c >= 256; c = Math.floor(c / 1.125 / 8) * 8) BUF_CLASSES.unshift(c);
/**
 * One class above the leaf maximum: the insert that overflows a full leaf (split right after) takes its buffer from
 * here and the split gives it back, instead of allocating an exact-size ArrayBuffer once per split and dropping it.
 */
const OVERFLOW_BYTES = 2048;
BUF_CLASSES.push(DEFAULT_LIMITS.leafMaxBytes + OVERFLOW_BYTES);
/**
 * Buffers kept per class: 16, the count of 4 to 64 that saved the most ArrayBuffer allocations in a random ingest
 * (BENCHMARKS.md, issue 4, session 6). The leaf buffer lists then hold at most 1.3 MB, the per-entry array lists
 * 0.12 MB.
 */
const FREE_PER_CLASS = 16;
const freeBufs: Buffer[][] = BUF_CLASSES.map(() => []);

/** Index of the smallest of the ascending `classes` ≥ n (classes.length when n is above every class). */
function classIndex(classes: readonly number[], n: number): number {
  let lo = 0;
  let hi = classes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (classes[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Capacity for `need` from a class series: the class ≥ need (≥ 2·need for the tail of a sequential load), never
 * above max(need, cap), except for a need above cap (an overflowing leaf): the class ≥ need then, if any.
 */
export function classCapacityFor(
  classes: readonly number[],
  need: number,
  cap: number,
  growth: number,
  floor: number,
): number {
  if (need > cap) {
    // an overflowing leaf, split at once: the class above the maximum when it fits, never more
    const k = classIndex(classes, need);
    return k < classes.length ? classes[k] : need;
  }
  const want = growth === GROW_TAIL ? Math.max(2 * need, floor) : Math.max(need, floor);
  const k = classIndex(classes, want);
  return Math.max(need, Math.min(k < classes.length ? classes[k] : want, cap));
}

/** The free list for things of size n in a class series, or undefined when n is not one of its classes. */
function freeList<T>(classes: readonly number[], lists: T[][], n: number): T[] | undefined {
  const k = classIndex(classes, n);
  return k < classes.length && classes[k] === n ? lists[k] : undefined;
}

export function takeLeafBuf(n: number): Buffer {
  return freeList(BUF_CLASSES, freeBufs, n)?.pop() ?? allocBuf(n);
}

/** Hands a buffer no leaf uses any more to the free list of its class (when it has one and there is room). */
export function releaseLeafBuf(b: Buffer): void {
  const list = freeList(BUF_CLASSES, freeBufs, b.length);
  if (list !== undefined && list.length < FREE_PER_CLASS) list.push(b);
}

/**
 * The same for the per-entry arrays: offsets (Uint16Array) and integer weights (Uint32Array) take capacities from a
 * series of entry counts, and outgrown ones go to small free lists (weights are zeroed when reused).
 */
export const COUNT_CLASSES: number[] = [];
for (let c = 8; c < DEFAULT_LIMITS.leafMaxEntries; c = Math.max(c + 4, Math.floor(c * 1.125))) COUNT_CLASSES.push(c);
COUNT_CLASSES.push(DEFAULT_LIMITS.leafMaxEntries, DEFAULT_LIMITS.leafMaxEntries + 8);
const freeOffs: Uint16Array[][] = COUNT_CLASSES.map(() => []);
const freeWeights: Uint32Array[][] = COUNT_CLASSES.map(() => []);

export function takeOffs(n: number): Uint16Array {
  return freeList(COUNT_CLASSES, freeOffs, n)?.pop() ?? new Uint16Array(n);
}

export function takeWeights(n: number): Uint32Array {
  const w = freeList(COUNT_CLASSES, freeWeights, n)?.pop();
  if (w === undefined) return new Uint32Array(n);
  w.fill(0);
  return w;
}

/** Hands per-entry arrays no leaf uses any more to their free lists (offsets and integer weights only). */
export function releaseArray(a: Uint16Array | Uint32Array | Float64Array | null): void {
  if (a === null || a.length === 0) return;
  const list =
    a instanceof Uint16Array
      ? freeList(COUNT_CLASSES, freeOffs, a.length)
      : a instanceof Uint32Array
        ? freeList(COUNT_CLASSES, freeWeights, a.length)
        : undefined;
  if (list !== undefined && list.length < FREE_PER_CLASS) (list as Array<typeof a>).push(a);
}

const SLAB_BYTES = 64 * 1024;

/**
 * Hands out never-reused copies carved from 64 KiB slabs, for the copies of leaf bytes that listings hand out
 * (TreeCursor.stableBuf, rolled-up prefixes): a new ArrayBuffer per leaf visited costs a few µs in V8 (external
 * memory accounting), and even a small Buffer.allocUnsafe goes through argument checks and pool bookkeeping; a view
 * on a slab costs far less. Slab memory is never reused, so a copy never changes; a kept copy pins at most one slab.
 */
class SlabArena {
  private slab = new ArrayBuffer(0);
  private pos = 0;
  /**
   * Where the last copy went: `slab` (a number per slab, never reused) and `at` (the offset in it), -1 when the copy
   * has an ArrayBuffer of its own. Copies with the same `slab` share one ArrayBuffer: a listing decodes many short
   * ones with a single native call (see listRaw's prefix strings). Read it right after the copy.
   */
  readonly last = { slab: 0, at: -1 };

  /** A fresh, never-reused copy of b[s, e). */
  copy(b: Uint8Array, s: number, e: number): Buffer {
    const n = e - s;
    const last = this.last;
    if (n > SLAB_BYTES >> 2) {
      last.at = -1;
      return copyBytes(b, s, e);
    }
    let pos = this.pos;
    if (pos + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      pos = 0;
      last.slab++;
    }
    last.at = pos;
    const out = viewOf(this.slab, pos, n);
    if (n <= 32) for (let i = 0; i < n; i++) out[i] = b[s + i];
    else out.set(b.subarray(s, e));
    this.pos = pos + ((n + 7) & ~7);
    return out;
  }
}

/** The arena of the copies that cursors (TreeCursor.stableBuf) and listings (slabCopy) hand out. */
const copies = new SlabArena();

/** Where slabCopy put its last copy (see SlabArena.last). */
export const lastSlabCopy = copies.last;

/** A fresh, never-reused copy of b[s, e) (see SlabArena). */
export function slabCopy(b: Uint8Array, s: number, e: number): Buffer {
  return copies.copy(b, s, e);
}
