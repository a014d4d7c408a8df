/**
 * Key-space arithmetic for the backfill crawler. S3 orders keys by their UTF-8 bytes; UTF-8 preserves code point
 * order, so comparing code point by code point is the same order (JS string `<` compares UTF-16 code units and
 * differs from it for astral characters vs U+E000..U+FFFF; never use it for keys).
 */

/** S3's key order: UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The largest code point: a string C + MAX_CHAR is above every key starting with C except keys continuing with it. */
export const MAX_CHAR = String.fromCodePoint(0x10ffff);

function codePoints(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/** Above this (exclusive), a split point is only guessed when the key at hand is itself outside ASCII. */
const ASCII_CAP = 0x7f;
const CODE_SPACE = 0x110000;

/** A code point strictly between x and y (y - x >= 2), not a surrogate, or undefined. */
function between(x: number, y: number): number | undefined {
  let m = Math.floor((x + y) / 2);
  if (m >= 0xd800 && m <= 0xdfff) m = y > 0xe000 ? 0xe000 : x < 0xd7ff ? 0xd7ff : -1;
  return m > x && m < y ? m : undefined;
}

/**
 * A split point: a string m with lo < m < hi in S3's order (hi undefined: no upper bound), roughly halfway in code
 * point space at the first position where lo and hi differ, or undefined when no string lies strictly between them.
 * Where hi gives no bound, printable ASCII is assumed as the alphabet (unless lo's character there is beyond it):
 * this is a heuristic for where keys are, never needed for correctness.
 */
export function midpoint(lo: string, hi: string | undefined): string | undefined {
  const a = codePoints(lo);
  const b = hi === undefined ? undefined : codePoints(hi);
  const out: number[] = [];
  let bounded = b !== undefined;
  for (let i = 0; ; i++) {
    const x = i < a.length ? a[i]! : -1;
    if (bounded && i >= b!.length) return undefined; // hi <= lo: no room
    const y = bounded ? b![i]! : x < ASCII_CAP - 1 ? ASCII_CAP : CODE_SPACE;
    if (y < x) return undefined;
    if (y === x) {
      out.push(x);
      continue;
    }
    if (y - x >= 2) {
      const m = between(x, y);
      if (m !== undefined) {
        out.push(m);
        return String.fromCodePoint(...out);
      }
    }
    // y === x + 1 (or no code point between): keep lo's character and split what follows it, unbounded above
    if (x < 0) return undefined; // hi === lo + '\0': nothing in between
    out.push(x);
    bounded = false;
  }
}

/** The code points two strings share at the start. */
export function commonPrefix(a: string, b: string): string {
  const x = codePoints(a);
  const y = codePoints(b);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return String.fromCodePoint(...x.slice(0, i));
}

/** The smallest string above every string starting with s (s with its last code point incremented), if any. */
export function prefixEnd(s: string): string | undefined {
  const cps = codePoints(s);
  while (cps.length > 0) {
    const last = cps.pop()!;
    let next = last + 1;
    if (next === 0xd800) next = 0xe000;
    if (next < CODE_SPACE) return String.fromCodePoint(...cps, next);
  }
  return undefined;
}

/** S3's `encoding-type=url` form: percent-encoded UTF-8, with a space possibly as '+' (as botocore decodes it). */
export function decodeUrlKey(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}
