/**
 * Redis's glob matching (util.c stringmatchlen, case-sensitive) over bytes, for ZSCAN MATCH: `*`, `?`, `[abc]`,
 * `[^abc]`, `[a-z]` and `\` escapes. Bytes in ranges compare as C `char` (signed), as in Redis. A failed `*`
 * stops retrying earlier stars (Redis's skipLongerMatches), which keeps pathological patterns linear-ish.
 */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  const state = { skipLongerMatches: false };
  return matchFrom(pattern, 0, subject, 0, state);
}

const signed = (b: number): number => (b > 127 ? b - 256 : b);

function matchFrom(p: Buffer, pi: number, s: Buffer, si: number, state: { skipLongerMatches: boolean }): boolean {
  while (pi < p.length && si < s.length) {
    switch (p[pi]) {
      case 0x2a /* * */:
        {
          while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
          if (pi + 1 === p.length) return true;
          while (si < s.length) {
            if (matchFrom(p, pi + 1, s, si, state)) return true;
            if (state.skipLongerMatches) return false;
            si++;
          }
          state.skipLongerMatches = true;
          return false;
        }
      case 0x3f /* ? */:
        si++;
        break;
      case 0x5b /* [ */:
        {
          pi++;
          const not = p[pi] === 0x5e; /* ^ */
          if (not) pi++;
          let match = false;
          const c = s[si]!;
          for (;;) {
            if (p[pi] === 0x5c /* \ */ && p.length - pi >= 2) {
              pi++;
              if (p[pi] === c) match = true;
            } else if (p[pi] === 0x5d /* ] */) {
              break;
            } else if (pi >= p.length) {
              pi--;
              break;
            } else if (p.length - pi >= 3 && p[pi + 1] === 0x2d /* - */) {
              let start = signed(p[pi]!);
              let end = signed(p[pi + 2]!);
              if (start > end) [start, end] = [end, start];
              pi += 2;
              const sc = signed(c);
              if (sc >= start && sc <= end) match = true;
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
      while (pi < p.length && p[pi] === 0x2a) pi++;
      break;
    }
  }
  return pi === p.length && si === s.length;
}
