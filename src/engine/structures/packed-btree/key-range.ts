/**
 * KeyRange — a run of consecutive keys of a tree (count keys from a start rank, forward or backward, each from byte
 * `skip` on), to be read later and any number of times: visit() hands the keys to a StretchSink a leaf stretch at a
 * time, straight from the leaves, and keys() copies them out as Buffers. A range reply is one (reply.ts,
 * KeyRangeReply): the command makes it, and the RESP writer encodes it by visiting it (src/protocol/key-range.ts),
 * with no Buffer or reply object per key.
 *
 * Reading later must still read the tree as it was when the range was made, whatever runs meanwhile (replies of a
 * pipeline or transaction are often rendered after later commands ran). So a range is watched by its tree
 * (watchRange below, which PackedBTree.keyRange calls): before the tree's next modification it is settled
 * (settleWatched), its keys copied out (keys()), and from then on it reads the copies. release() ends the watch once the range will not be read again; the RESP writer releases
 * a range it encoded, so the copy is only made when a write comes between a range command and its reply's encoding.
 *
 * Cost: visit O(count + leaves crossed), allocating nothing; keys() and a settle O(count + bytes copied).
 */
import { type StretchSink, TreeCursor } from './cursor';
import type { Leaf } from './leaf';
import type { PackedBTree } from './tree';
import type { TreeState } from './tree-state';

/** At most this many ranges are watched at once (keyRange); a RESP connection encodes each before the next runs. */
const WATCH_MAX = 64;

export class KeyRange {
  /** the keys, once settled (or after keys() was asked while unwatched): copies, never leaf storage */
  private copies: Buffer[] | null = null;
  /** walks the range: placed on its first key before each walk */
  private readonly cursor: TreeCursor;
  /** still watched by its tree (not settled, not released) */
  private live = true;
  private released = false;

  /** @internal made by PackedBTree.keyRange, which watches it */
  constructor(
    private readonly tree: PackedBTree,
    private readonly leaf: Leaf,
    private readonly idx: number,
    /** how many keys (the caller checked they exist) */
    readonly count: number,
    private readonly skip: number,
    private readonly reverse: boolean,
  ) {
    this.cursor = new TreeCursor(leaf, idx, tree);
  }

  /** The cursor, on the range's first key. */
  private start(): TreeCursor {
    const c = this.cursor;
    c.place(this.leaf, this.idx);
    return c;
  }

  /** Hands every key of the range to sink, in order, a stretch at a time (one key per stretch once settled). */
  visit(sink: StretchSink): void {
    if (this.live) {
      this.start().takeStretches(this.count, this.skip, this.reverse, sink);
      return;
    }
    const spans = new Int32Array(2);
    for (const k of this.keys()) {
      spans[1] = k.length;
      sink.stretch(k, 0, k.length, spans, 1);
    }
  }

  /**
   * The bytes of storage the range's stretches span (leaf stretches, or the copies once settled): at least the bytes
   * of its keys. The largest stretch is then in largestStretch. O(leaves crossed).
   */
  stretchBytes(): number {
    if (this.live) {
      const c = this.start();
      const total = c.stretchBytes(this.count, this.reverse);
      this.largestStretch = c.largestStretch;
      return total;
    }
    let total = 0;
    let largest = 0;
    for (const k of this.keys()) {
      total += k.length;
      if (k.length > largest) largest = k.length;
    }
    this.largestStretch = largest;
    return total;
  }
  /** after stretchBytes(): the largest stretch */
  largestStretch = 0;

  /** The keys as Buffers (fresh copies while the range is watched; afterwards the copies it keeps). */
  keys(): Buffer[] {
    if (this.copies !== null) return this.copies;
    if (this.released) throw new Error('KeyRange: read after release');
    const out: Buffer[] = [];
    this.start().takeKeys(this.count, this.skip, this.reverse, out);
    if (!this.live) this.copies = out;
    return out;
  }

  /** @internal Called by the tree before it changes: copies the keys out; the tree has dropped its watch. */
  settle(): void {
    if (!this.live) return;
    this.copies = this.keys();
    this.live = false;
  }

  /** Ends the watch: the range will not be read again (reading it is then an error). */
  release(): void {
    if (!this.live) return;
    this.live = false;
    this.released = true;
    this.tree.unwatch(this);
  }
}

/** Watches a range its tree just made (PackedBTree.keyRange); settles the oldest when WATCH_MAX are watched. */
export function watchRange(s: TreeState, range: KeyRange): void {
  let w = s.watched;
  if (w === null) w = s.watched = [];
  // a bound on what unread ranges can keep alive: one is settled
  if (w.length >= WATCH_MAX) unwatchRange(s, w[0]).settle();
  w.push(range);
}

/** Ends the watch of a range (KeyRange.release, through PackedBTree.unwatch); returns the range. */
export function unwatchRange(s: TreeState, range: KeyRange): KeyRange {
  const w = s.watched;
  if (w === null) return range;
  const i = w.lastIndexOf(range);
  if (i >= 0) {
    w[i] = w[w.length - 1];
    w.pop();
  }
  return range;
}

/**
 * Before any modification of a tree that watches ranges (s.watched not empty): settles them (they then read copies
 * of their keys).
 */
export function settleWatched(s: TreeState): void {
  const w = s.watched!;
  while (w.length > 0) w.pop()!.settle();
}
