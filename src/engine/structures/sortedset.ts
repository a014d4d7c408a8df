/**
 * SortedSet — the value behind a Redis sorted set and the S3 object index, on top of PackedBTree.
 *
 * Order: ascending (score, member) with members compared as bytes (memcmp). Ranks are 0-based ascending.
 * Scores are finite or ±Infinity, never NaN; -0 is stored as 0.
 * Buffers returned are fresh copies: never mutated afterwards, and they do not pin the tree's storage.
 *
 * Representation — two modes:
 * - lex mode (every member has the same score; the common case, e.g. an S3 index where all scores are 0):
 *   ONE PackedBTree keyed by the member bytes; entry value = payload (absent when none); entry weight = weight.
 *   The shared score is stored once, so ZSCORE is a lookup of the member and (score, member) order is member order.
 * - scored mode (entered as soon as a second distinct score appears; left again only when the set becomes empty):
 *   byMember: key = member, value = 8-byte encoded score [+ 0x01 + payload]
 *   byScore:  key = 8-byte encoded score ++ member, no value, weight = weight.
 *   The score encoding is order preserving: the IEEE-754 big-endian bytes with the sign bit flipped for scores ≥ 0
 *   and all bits flipped for negative scores, so memcmp order on byScore keys is (score, member) order.
 *
 * Invariants: in lex mode `lex` holds every member and `commonScore` their score; in scored mode byMember and byScore
 * hold the same members with the same scores, and the weight of a member lives in the tree that defines rank order
 * (lex / byScore). Payloads survive score updates.
 *
 * Cost (n members, log = PackedBTree descent, L = leaf size ≤ 128):
 * - add / remove / setPayload / setWithPayload: O(log n + L) (twice in scored mode); first change lex → scored
 *   mode: O(n). A write right after payload() of the same member Buffer reuses its descent (PackedBTree hint).
 * - score / payload / has:         O(log n)
 * - rank:                          O(log n) (+ byMember lookup in scored mode)
 * - at:                            O(log n)
 * - slice of m members:            O(log n + m)
 * - countBelowScore:               O(1) in lex mode, O(log n) in scored mode
 * - countBelowLex:                 O(log n) (exact only when all scores are equal, like Redis)
 * - removeRange of m members:      O(log n + m) in lex mode, O(m log n) in scored mode
 * - weightBetween:                 O(log n)
 * - scan of m members:             O(log n + m) (+ m byMember lookups for payloads in scored mode)
 * - lexCursor:                     O(log n); its forward seek: O(log L) within the next 3 leaves, else O(log n)
 * - size / encoding / byteSize:    O(1)
 */
import {
  copyBytes,
  type KeyClassifier,
  type KeyRange,
  PackedBTree,
  type PreparedBatch,
  type TreeCursor,
  type WeightOf,
} from './packed-btree';

export type { TreeCursor } from './packed-btree';

const LISTPACK_MAX_ENTRIES = 128;
const LISTPACK_MAX_VALUE = 64;

/** Writes the order-preserving 8-byte encoding of score s into dst at pos. */
function encodeScore(s: number, dst: Buffer, pos: number): void {
  dst.writeDoubleBE(s === 0 ? 0 : s, pos);
  if (dst[pos] & 0x80) {
    for (let i = pos; i < pos + 8; i++) dst[i] ^= 0xff;
  } else {
    dst[pos] ^= 0x80;
  }
}

function scoreKey(score: number, member: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(8 + member.length);
  encodeScore(score, k, 0);
  k.set(member, 8);
  return k;
}

/** Smallest byScore key above every key whose score is ≤ s. */
function scoreUpperKey(s: number): Buffer {
  const k = Buffer.allocUnsafe(8);
  encodeScore(s, k, 0);
  // increment the 8-byte big-endian number (the encoding of +inf is far from all-0xff, so no overflow)
  for (let i = 7; i >= 0; i--) {
    if (k[i] !== 0xff) {
      k[i]++;
      break;
    }
    k[i] = 0;
  }
  return k;
}

function memberValue(score: number, payload: Uint8Array | undefined): Buffer {
  const v = Buffer.allocUnsafe(payload === undefined ? 8 : 9 + payload.length);
  v.writeDoubleBE(score, 0);
  if (payload !== undefined) {
    v[8] = 1;
    v.set(payload, 9);
  }
  return v;
}

function payloadOfMemberValue(v: Buffer): Buffer | undefined {
  return v.length > 8 ? v.subarray(9) : undefined;
}

function normalize(score: number): number {
  if (Number.isNaN(score)) throw new Error('SortedSet: NaN score');
  return score === 0 ? 0 : score;
}

export interface SortedEntry {
  member: Buffer;
  score: number;
  payload?: Buffer;
  weight?: number;
}

export class SortedSet {
  /** lex mode: the only tree; scored mode: null. */
  private lex: PackedBTree | null;
  private commonScore = 0;
  private byMember: PackedBTree | null = null;
  private byScore: PackedBTree | null = null;
  /** Sticky like Redis: once converted to a skiplist a zset stays one. */
  private skiplist = false;
  /** decodeScore's staging area for negative scores (made on first use; scored mode only) */
  private scoreBytes: Buffer | null = null;

  /**
   * `weightOfPayload`: in lex mode, weights are derived from payloads (PackedBTree's WeightOf) and the weights given
   * to setWithPayload / setPayload are ignored; they must then be what it derives (the S3 index: object sizes). In
   * scored mode weights are kept as given, starting from the derived ones. `flagMember`: the members whose count the
   * member-ordered tree keeps per leaf (PackedBTree's KeyClassifier; the S3 index: keys that are not plain).
   */
  constructor(
    private readonly weightOfPayload?: WeightOf,
    private readonly flagMember?: KeyClassifier,
  ) {
    this.lex = new PackedBTree(undefined, weightOfPayload, flagMember);
  }

  /** The WeightOf this set derives its lex-mode weights with (see the constructor), if any. */
  get weightOfPayloads(): WeightOf | undefined {
    return this.weightOfPayload;
  }

  /** The KeyClassifier of this set's members (see the constructor), if any. */
  get memberClassifier(): KeyClassifier | undefined {
    return this.flagMember;
  }

  /**
   * Builds a set from entries in ascending (score, member) order with unique members (throws otherwise). O(n).
   * `weightOfPayload`, `flagMember`: as for the constructor (a copy of a set passes the set's own, so that an index's
   * keys zset copied or reloaded derives its weights again instead of storing them, and classifies its members).
   */
  static fromSorted(entries: Iterable<SortedEntry>, weightOfPayload?: WeightOf, flagMember?: KeyClassifier): SortedSet {
    const list = Array.isArray(entries) ? (entries as SortedEntry[]) : [...entries];
    const set = new SortedSet(weightOfPayload, flagMember);
    const n = list.length;
    if (n === 0) return set;
    const first = normalize(list[0].score);
    let uniform = true;
    for (const e of list) {
      if (normalize(e.score) !== first) {
        uniform = false;
        break;
      }
    }
    if (uniform) {
      const lex = set.lex!;
      for (const e of list) lex.append(e.member, e.payload, e.weight ?? 0);
      set.commonScore = first;
    } else {
      const byScore = new PackedBTree();
      for (const e of list) byScore.append(scoreKey(normalize(e.score), e.member), undefined, e.weight ?? 0);
      const sorted = list.slice().sort((a, b) => Buffer.compare(a.member, b.member));
      const byMember = new PackedBTree(undefined, undefined, flagMember);
      for (const e of sorted) byMember.append(e.member, memberValue(normalize(e.score), e.payload));
      set.lex = null;
      set.byMember = byMember;
      set.byScore = byScore;
    }
    set.skiplist = n > LISTPACK_MAX_ENTRIES || list.some((e) => e.member.length > LISTPACK_MAX_VALUE);
    return set;
  }

  /**
   * A lex-mode set (every member scored `score`) over a tree of its members built elsewhere (a TreeLoader given the
   * same `weightOfPayload` and `flagMember`, as for the constructor). O(1).
   */
  static fromLexTree(
    tree: PackedBTree,
    score: number,
    maxMemberLength: number,
    weightOfPayload?: WeightOf,
    flagMember?: KeyClassifier,
  ): SortedSet {
    const set = new SortedSet(weightOfPayload, flagMember);
    set.lex = tree;
    set.commonScore = normalize(score);
    set.skiplist = tree.size > LISTPACK_MAX_ENTRIES || maxMemberLength > LISTPACK_MAX_VALUE;
    return set;
  }

  get size(): number {
    return this.lex !== null ? this.lex.size : this.byMember!.size;
  }

  /** True while every member has the same score (one tree, no per-member score). */
  get isLexMode(): boolean {
    return this.lex !== null;
  }

  /** Inserts or updates; returns true when the member was new. */
  add(member: Buffer, score: number): boolean {
    score = normalize(score);
    if (!this.skiplist && member.length > LISTPACK_MAX_VALUE) this.skiplist = true;
    const lex = this.lex;
    if (lex !== null) {
      if (lex.size === 0) this.commonScore = score;
      if (score === this.commonScore) return this.noteAdded(lex.insert(member));
      if (lex.size === 1 && lex.has(member)) {
        this.commonScore = score;
        return false;
      }
      this.toScoredMode();
    }
    return this.noteAdded(this.addScored(member, score));
  }

  private noteAdded(added: boolean): boolean {
    if (added && !this.skiplist && this.size > LISTPACK_MAX_ENTRIES) this.skiplist = true;
    return added;
  }

  private addScored(member: Buffer, score: number): boolean {
    const byMember = this.byMember!;
    const byScore = this.byScore!;
    const old = this.memberValueOf(member);
    if (old === null) {
      byMember.insert(member, memberValue(score, undefined));
      byScore.insert(scoreKey(score, member));
      return true;
    }
    const oldScore = old.readDoubleBE(0);
    if (oldScore === score) return false;
    const removed = byScore.delete(scoreKey(oldScore, member));
    byScore.insert(scoreKey(score, member), undefined, removed === undefined ? 0 : removed.weight);
    byMember.update(member, memberValue(score, payloadOfMemberValue(old)), 0);
    return false;
  }

  private toScoredMode(): void {
    const lex = this.lex!;
    const byMember = new PackedBTree(undefined, undefined, this.flagMember);
    const byScore = new PackedBTree();
    const s = this.commonScore;
    for (const e of lex.entries()) {
      byMember.append(e.key, memberValue(s, e.value));
      byScore.append(scoreKey(s, e.key), undefined, e.weight);
    }
    this.lex = null;
    this.byMember = byMember;
    this.byScore = byScore;
  }

  private toLexModeIfEmpty(): void {
    if (this.lex === null && this.byMember!.size === 0) {
      this.lex = new PackedBTree(undefined, this.weightOfPayload, this.flagMember);
      this.byMember = null;
      this.byScore = null;
    }
  }

  score(member: Buffer): number | undefined {
    if (this.lex !== null) return this.lex.has(member) ? this.commonScore : undefined;
    const v = this.memberValueOf(member);
    return v === null ? undefined : v.readDoubleBE(0);
  }

  has(member: Buffer): boolean {
    return this.lex !== null ? this.lex.has(member) : this.byMember!.has(member);
  }

  remove(member: Buffer): boolean {
    if (this.lex !== null) return this.lex.delete(member) !== undefined;
    const removed = this.byMember!.delete(member);
    if (removed === undefined) return false;
    this.byScore!.delete(scoreKey(removed.value!.readDoubleBE(0), member));
    this.toLexModeIfEmpty();
    return true;
  }

  rank(member: Buffer): number | undefined {
    let r: number;
    if (this.lex !== null) {
      r = this.lex.rank(member);
    } else {
      const v = this.memberValueOf(member);
      if (v === null) return undefined;
      r = this.byScore!.rank(scoreKey(v.readDoubleBE(0), member));
    }
    return r < 0 ? undefined : r;
  }

  at(rank: number): [Buffer, number] | undefined {
    if (this.lex !== null) {
      const k = this.lex.keyAt(rank);
      return k === undefined ? undefined : [k, this.commonScore];
    }
    const k = this.byScore!.keyAt(rank);
    return k === undefined ? undefined : [k.subarray(8), this.decodeScore(k, 0)];
  }

  /** Entries with ascending ranks start..stop inclusive (0 ≤ start ≤ stop < size); descending order if reverse. */
  slice(start: number, stop: number, reverse: boolean, withScores: boolean): { members: Buffer[]; scores: number[] } {
    const members: Buffer[] = [];
    const scores: number[] = [];
    if (start < 0) start = 0;
    if (stop >= this.size) stop = this.size - 1;
    if (start > stop) return { members, scores };
    const n = stop - start + 1;
    const c = this.rankTree().cursor(reverse ? stop : start);
    if (this.lex !== null) {
      c.takeKeys(n, 0, reverse, members);
      if (withScores) for (let i = 0; i < n; i++) scores.push(this.commonScore);
      return { members, scores };
    }
    if (!withScores) {
      c.takeKeys(n, 8, reverse, members);
      return { members, scores };
    }
    const keys: Buffer[] = [];
    c.takeKeys(n, 0, reverse, keys);
    for (const k of keys) {
      members.push(k.subarray(8));
      scores.push(this.decodeScore(k, 0));
    }
    return { members, scores };
  }

  /** Number of members with score < s (or ≤ s when inclusive). */
  countBelowScore(s: number, inclusive: boolean): number {
    if (Number.isNaN(s)) throw new Error('SortedSet: NaN score');
    if (this.lex !== null) {
      const c = this.commonScore;
      return c < s || (inclusive && c === s) ? this.lex.size : 0;
    }
    if (inclusive) return this.byScore!.lowerBound(scoreUpperKey(s), false);
    const k = Buffer.allocUnsafe(8);
    encodeScore(s, k, 0);
    return this.byScore!.lowerBound(k, false);
  }

  /** Number of members ordered before m (or up to and including m when inclusive); exact when all scores are equal. */
  countBelowLex(m: Buffer, inclusive: boolean): number {
    if (this.lex !== null) return this.lex.lowerBound(m, inclusive);
    // Scores differ: Redis's answer is undefined here too. Do a monotone descent comparing members only.
    const len = m.length;
    return this.byScore!.countWhile((buf, start, end) => {
      const s = Math.min(start + 8, end);
      let i = 0;
      const bl = end - s;
      const k = Math.min(len, bl);
      while (i < k && buf[s + i] === m[i]) i++;
      const c = i < k ? buf[s + i] - m[i] : bl - len;
      return c < 0 || (inclusive && c === 0);
    });
  }

  /** Removes ascending ranks start..stop inclusive; returns how many were removed. */
  removeRange(start: number, stop: number): number {
    if (start < 0) start = 0;
    if (stop >= this.size) stop = this.size - 1;
    if (start > stop) return 0;
    if (this.lex !== null) return this.lex.removeRange(start, stop + 1);
    const byMember = this.byMember!;
    const c = this.byScore!.cursor(start);
    for (let i = start; i <= stop; i++) {
      byMember.delete(c.key(8));
      c.next();
    }
    const n = this.byScore!.removeRange(start, stop + 1);
    this.toLexModeIfEmpty();
    return n;
  }

  /**
   * Visits entries in ascending order from `fromRank` until fn returns false. The set must not be modified during
   * the scan. In scored mode the payload costs a lookup, made only when fn declares a third parameter.
   */
  scan(fromRank: number, fn: (member: Buffer, score: number, payload: Buffer | undefined) => boolean): void {
    if (fromRank < 0) fromRank = 0;
    if (fromRank >= this.size) return;
    const lexMode = this.lex !== null;
    const c: TreeCursor = this.rankTree().cursor(fromRank);
    const wantPayload = fn.length >= 3;
    const common = this.commonScore;
    do {
      if (lexMode) {
        if (!fn(c.key(), common, wantPayload ? c.value() : undefined)) return;
      } else {
        const buf = c.keyBuf();
        const member = copyBytes(buf, c.keyStart + 8, c.keyEnd);
        const score = this.decodeScore(buf, c.keyStart);
        let payload: Buffer | undefined;
        if (wantPayload) {
          const v = this.memberValueOf(member);
          payload = v ? payloadOfMemberValue(v) : undefined;
        }
        if (!fn(member, score, payload)) return;
      }
    } while (c.next());
  }

  /**
   * A cursor in member byte order (whatever the scores) on the first member ≥ from (> from when exclusive), for
   * lex walks that seek: key bytes via keyBuf/keyStart/keyEnd (live storage, read at once), member/payload via
   * key()/value() (fresh copies), forward seek(). In scored mode it walks byMember. Invalid once the set changes.
   */
  lexCursor(from: Uint8Array, exclusive: boolean): TreeCursor {
    return this.lex !== null ? this.lex.seekCursor(from, exclusive) : this.byMember!.seekCursor(from, exclusive, 9);
  }

  /**
   * Inserts or updates member with score, payload and weight; returns true when the member was new. One descent when
   * the set is in lex mode with this score (an S3 index), else add + setPayload.
   */
  setWithPayload(member: Buffer, score: number, payload: Buffer | undefined, weight: number): boolean {
    score = normalize(score);
    const lex = this.lex;
    if (lex !== null && (score === this.commonScore || lex.size === 0)) {
      if (lex.size === 0) this.commonScore = score;
      if (!this.skiplist && member.length > LISTPACK_MAX_VALUE) this.skiplist = true;
      return this.noteAdded(lex.set(member, payload, weight));
    }
    const added = this.add(member, score);
    this.setPayload(member, payload, weight);
    return added;
  }

  /** Attaches an opaque payload and a numeric weight (summed in O(log n) by weightBetween) to an existing member. */
  setPayload(member: Buffer, payload: Buffer | undefined, weight: number): boolean {
    if (this.lex !== null) return this.lex.update(member, payload, weight);
    const v = this.memberValueOf(member);
    if (v === null) return false;
    const score = v.readDoubleBE(0);
    this.byMember!.update(member, memberValue(score, payload), 0);
    this.byScore!.update(scoreKey(score, member), undefined, weight);
    return true;
  }

  /**
   * Prepares the lookups of members[0, n) that writes will make next (PackedBTree.prepare); release the batch
   * returned when they are done.
   */
  prepare(members: readonly Buffer[], n: number): PreparedBatch {
    return (this.lex ?? this.byMember!).prepare(members, n);
  }

  payload(member: Buffer): Buffer | undefined {
    if (this.lex !== null) return this.lex.getValue(member) ?? undefined;
    const v = this.memberValueOf(member);
    return v === null ? undefined : payloadOfMemberValue(v);
  }

  /** Weight attached by setPayload (0 when none or absent). */
  weight(member: Buffer): number {
    if (this.lex !== null) return this.lex.get(member)?.weight ?? 0;
    const v = this.memberValueOf(member);
    return v === null ? 0 : (this.byScore!.get(scoreKey(v.readDoubleBE(0), member))?.weight ?? 0);
  }

  /** Sum of weights of ascending ranks [start, end). */
  weightBetween(start: number, end: number): number {
    return this.rankTree().weightBetween(start, end);
  }

  /** Approximate bytes used (for INFO memory and MEMORY USAGE). */
  byteSize(): number {
    return this.lex !== null ? 64 + this.lex.byteSize() : 64 + this.byMember!.byteSize() + this.byScore!.byteSize();
  }

  /** Shape and storage figures of the underlying trees (O(number of leaves)). */
  stats(): ReturnType<PackedBTree['stats']>[] {
    return this.lex !== null ? [this.lex.stats()] : [this.byMember!.stats(), this.byScore!.stats()];
  }

  /** 'listpack' while size ≤ 128 and every member ≤ 64 bytes (Redis's thresholds), else 'skiplist'. */
  encoding(): 'listpack' | 'skiplist' {
    return this.skiplist ? 'skiplist' : 'listpack';
  }

  /**
   * Re-evaluates the encoding from the current contents, like Redis's zsetConvertToListpackIfNeeded (used for the
   * destination of ZRANGESTORE / ZUNIONSTORE …); otherwise the 'skiplist' encoding is sticky, as in Redis.
   */
  recomputeEncoding(): void {
    let skiplist = this.size > LISTPACK_MAX_ENTRIES;
    if (!skiplist) {
      this.scan(0, (m) => {
        if (m.length > LISTPACK_MAX_VALUE) skiplist = true;
        return !skiplist;
      });
    }
    this.skiplist = skiplist;
  }

  *[Symbol.iterator](): IterableIterator<[Buffer, number]> {
    for (const e of this.entries()) yield [e.member, e.score];
  }

  /** Every entry with payload and weight, in ascending order: a snapshot stream accepted by fromSorted. */
  *entries(): IterableIterator<SortedEntry> {
    if (this.lex !== null) {
      const s = this.commonScore;
      for (const e of this.lex.entries()) yield { member: e.key, score: s, payload: e.value, weight: e.weight };
      return;
    }
    for (const e of this.byScore!.entries()) {
      const member = e.key.subarray(8);
      const v = this.memberValueOf(member);
      yield {
        member,
        score: this.decodeScore(e.key, 0),
        payload: v ? payloadOfMemberValue(v) : undefined,
        weight: e.weight,
      };
    }
  }

  /** Throws when an internal invariant does not hold. O(n log n). */
  checkInvariants(): void {
    if (this.lex !== null) {
      this.lex.checkInvariants();
      if (this.byMember !== null || this.byScore !== null) throw new Error('SortedSet invariant: stray trees');
      return;
    }
    const byMember = this.byMember!;
    const byScore = this.byScore!;
    byMember.checkInvariants();
    byScore.checkInvariants();
    if (byMember.size !== byScore.size) throw new Error('SortedSet invariant: tree sizes differ');
    if (byMember.size === 0) throw new Error('SortedSet invariant: empty set in scored mode');
    for (const e of byScore.entries()) {
      const v = this.memberValueOf(e.key.subarray(8));
      if (v === null || v.readDoubleBE(0) !== this.decodeScore(e.key, 0)) {
        throw new Error('SortedSet invariant: byScore entry without matching byMember entry');
      }
      if (v.length > 8 && v[8] !== 1) throw new Error('SortedSet invariant: bad payload marker');
    }
  }

  /**
   * The score encoded at src[pos] (encodeScore). A score ≥ 0 is stored with its sign bit flipped: read as it is, the
   * bytes are its negation. A negative score has every bit flipped: they are flipped back in this set's scoreBytes.
   */
  private decodeScore(src: Buffer, pos: number): number {
    if (src[pos] & 0x80) return -src.readDoubleBE(pos);
    let b = this.scoreBytes;
    if (b === null) b = this.scoreBytes = Buffer.allocUnsafe(8);
    for (let i = 0; i < 8; i++) b[i] = src[pos + i] ^ 0xff;
    return b.readDoubleBE(0);
  }

  /** The byMember value (score [+ payload]) of member in scored mode, or null when absent. */
  private memberValueOf(member: Uint8Array): Buffer | null {
    return this.byMember!.getValue(member) ?? null;
  }

  private rankTree(): PackedBTree {
    return this.lex ?? this.byScore!;
  }

  /**
   * The members with ascending ranks start..stop inclusive (clamped; descending order if reverse), to be read later
   * straight from the tree's leaves (KeyRange: no Buffer per member; the tree settles it before it changes), or null
   * when there are none. Release it once read (KeyRange.release).
   */
  keyRange(start: number, stop: number, reverse: boolean): KeyRange | null {
    if (start < 0) start = 0;
    if (stop >= this.size) stop = this.size - 1;
    if (start > stop) return null;
    // scored mode ranks by the byScore tree, whose keys carry an 8-byte score before the member
    return this.rankTree().keyRange(reverse ? stop : start, stop - start + 1, this.lex !== null ? 0 : 8, reverse);
  }
}
