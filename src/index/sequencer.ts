/**
 * S3 `sequencer` values order the events of ONE object key (never across keys, never across the EventBridge and
 * classic-notification pipelines). AWS's rule: upper-case both, right-pad the shorter with '0', compare as strings;
 * the greater one is the later event. Documented examples have 16 lower-case hex digits, real events 18 upper-case.
 *
 * Sequencers are kept normalised (upper case) everywhere in the index; '' means "unknown" and sorts first.
 */

/** Upper-cases a sequencer; returns undefined for values that are not non-empty strings of printable ASCII. */
export function normaliseSequencer(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const n = v.length;
  if (n === 0 || n > 128) return undefined;
  let lower = false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
    if (c >= 97 && c <= 122) lower = true;
  }
  // real sequencers are already upper-case: no copy then
  return lower ? v.toUpperCase() : v;
}

/**
 * Compares two normalised sequencers: negative when `a` is older, 0 when equal after padding, positive when newer.
 * O(max(len)) without allocating.
 */
export function compareSequencer(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a.charCodeAt(i) : 48;
    const y = i < b.length ? b.charCodeAt(i) : 48;
    if (x !== y) return x - y;
  }
  return 0;
}
