/**
 * PLACEHOLDER API — being implemented (B+tree). The signatures below are the contract other modules code against.
 *
 * Order: ascending (score, member) with members compared as bytes (memcmp). Ranks are 0-based ascending.
 * Scores are finite or ±Infinity, never NaN; -0 is stored as 0.
 * Buffers returned are never mutated afterwards (copies or views on immutable storage).
 */
export class SortedSet {
  get size(): number {
    throw new Error('not implemented');
  }
  /** Inserts or updates; returns true when the member was new. */
  add(_member: Buffer, _score: number): boolean {
    throw new Error('not implemented');
  }
  score(_member: Buffer): number | undefined {
    throw new Error('not implemented');
  }
  remove(_member: Buffer): boolean {
    throw new Error('not implemented');
  }
  rank(_member: Buffer): number | undefined {
    throw new Error('not implemented');
  }
  at(_rank: number): [Buffer, number] | undefined {
    throw new Error('not implemented');
  }
  /** Entries with ascending ranks start..stop inclusive (0 ≤ start ≤ stop < size); descending order if reverse. */
  slice(
    _start: number,
    _stop: number,
    _reverse: boolean,
    _withScores: boolean,
  ): { members: Buffer[]; scores: number[] } {
    throw new Error('not implemented');
  }
  /** Number of members with score < s (or ≤ s when inclusive). */
  countBelowScore(_s: number, _inclusive: boolean): number {
    throw new Error('not implemented');
  }
  /** Number of members ordered before m (or up to and including m when inclusive); exact when all scores are equal. */
  countBelowLex(_m: Buffer, _inclusive: boolean): number {
    throw new Error('not implemented');
  }
  /** Removes ascending ranks start..stop inclusive; returns how many were removed. */
  removeRange(_start: number, _stop: number): number {
    throw new Error('not implemented');
  }
  /** Visits entries in ascending order from `fromRank` until fn returns false. */
  scan(_fromRank: number, _fn: (member: Buffer, score: number, payload: Buffer | undefined) => boolean): void {
    throw new Error('not implemented');
  }
  /** Attaches an opaque payload and a numeric weight (summed in O(log n) by weightBetween) to an existing member. */
  setPayload(_member: Buffer, _payload: Buffer | undefined, _weight: number): boolean {
    throw new Error('not implemented');
  }
  payload(_member: Buffer): Buffer | undefined {
    throw new Error('not implemented');
  }
  /** Sum of weights of ascending ranks [start, end). */
  weightBetween(_start: number, _end: number): number {
    throw new Error('not implemented');
  }
  /** Approximate bytes used (for INFO memory and MEMORY USAGE). */
  byteSize(): number {
    throw new Error('not implemented');
  }
  /** 'listpack' while size ≤ 128 and every member ≤ 64 bytes (Redis's thresholds), else 'skiplist'. */
  encoding(): 'listpack' | 'skiplist' {
    throw new Error('not implemented');
  }
  *[Symbol.iterator](): IterableIterator<[Buffer, number]> {
    yield* [];
    throw new Error('not implemented');
  }
}
