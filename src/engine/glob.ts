/**
 * Redis's glob matcher (util.c stringmatchlen, case-sensitive), byte for byte: `*`, `?`, `[...]` with `^`
 * negation, ranges (reversed ranges are swapped, bytes compared as signed chars like C's `char`) and `\` escapes.
 * An unterminated `[` class ends at the end of the pattern. Exponential blow-up on many `*` is cut off as in
 * Redis 7.0.9+ (once the rest of the pattern failed from every position, longer matches cannot help).
 */

/** C `char` on x86: bytes ≥ 0x80 are negative. */
const sc = (b: number): number => (b >= 128 ? b - 256 : b);

export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  const skip = { longer: false };
  return matchFrom(pattern, 0, subject, 0, skip);
}

function matchFrom(p: Buffer, pi: number, s: Buffer, si: number, skip: { longer: boolean }): boolean {
  // pattern[pi] past the end reads as NUL, as the C code relies on the sds terminator
  const at = (i: number): number => (i < p.length ? p[i]! : 0);
  while (pi < p.length && si < s.length) {
    switch (p[pi]) {
      case 0x2a /* * */:
        {
          while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
          if (pi === p.length - 1) return true;
          while (si < s.length) {
            if (matchFrom(p, pi + 1, s, si, skip)) return true;
            if (skip.longer) return false;
            si++;
          }
          skip.longer = true;
          return false;
        }
      case 0x3f /* ? */:
        si++;
        break;
      case 0x5b /* [ */:
        {
          pi++;
          const not = at(pi) === 0x5e;
          if (not) pi++;
          let match = false;
          const c = s[si]!;
          for (;;) {
            if (at(pi) === 0x5c && p.length - pi >= 2) {
              pi++;
              if (p[pi] === c) match = true;
            } else if (at(pi) === 0x5d) {
              break;
            } else if (pi >= p.length) {
              pi--;
              break;
            } else if (p.length - pi >= 3 && p[pi + 1] === 0x2d) {
              let start = sc(p[pi]!);
              let end = sc(p[pi + 2]!);
              if (start > end) [start, end] = [end, start];
              pi += 2;
              if (sc(c) >= start && sc(c) <= end) match = true;
            } else if (p[pi] === c) {
              match = true;
            }
            pi++;
          }
          if (not) match = !match;
          if (!match) return false;
          si++;
          break;
        }
      case 0x5c /* \ */:
        if (p.length - pi >= 2) pi++;
        if (p[pi] !== s[si]) return false;
        si++;
        break;
      default:
        if (p[pi] !== s[si]) return false;
        si++;
        break;
    }
    pi++;
    if (si === s.length) {
      while (at(pi) === 0x2a) pi++;
      break;
    }
  }
  return pi >= p.length && si === s.length;
}
