/**
 * Just enough x87 80-bit `long double` to make HINCRBYFLOAT byte-exact with Redis, which parses with strtold,
 * adds in long double and prints with "%.17Lf" (trailing zeros trimmed). Doing the same in IEEE doubles differs
 * visibly: 0.1 + 0.2 prints "0.3" in Redis but would print "0.30000000000000004".
 *
 * Representation: a finite value is sign × m × 2^e with a 64-bit significand m (2^63 ≤ m < 2^64 for normal
 * numbers, smaller for subnormals) — exactly what the x87 format holds. Arithmetic is exact on BigInts followed by
 * one round-to-nearest-even, as the hardware does. Cost: O(d²) in the number of digits, d ≤ ~5000, only for
 * HINCRBYFLOAT (and usable by INCRBYFLOAT).
 */

export interface LongDouble {
  readonly neg: boolean;
  /** significand; 0n for zero */
  readonly m: bigint;
  readonly e: number;
}

const SIG_BITS = 64;
/** The exponent of the smallest subnormal's unit: 2^-16445. */
const MIN_E = -16445;
/** Values must stay below 2^16384. */
const MAX_BITS = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: inputs this long or longer are rejected. */
const MAX_CHARS = 5 * 1024;

export const LD_ZERO: LongDouble = Object.freeze({ neg: false, m: 0n, e: 0 });

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds num/den (both > 0) to the nearest long double (ties to even). Returns 'inf' on overflow and a zero on
 * total underflow.
 */
function roundRational(neg: boolean, num: bigint, den: bigint): LongDouble | 'inf' {
  let e = bitLength(num) - bitLength(den) - SIG_BITS;
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    if (e < MIN_E) e = MIN_E;
    const n = e < 0 ? num << BigInt(-e) : num;
    d = e > 0 ? den << BigInt(e) : den;
    q = n / d;
    r = n % d;
    // bring q into [2^63, 2^64) unless we are at the subnormal floor
    if (q >= 1n << 64n) {
      e += 1;
      continue;
    }
    if (q < 1n << 63n && e > MIN_E) {
      e -= 1;
      continue;
    }
    break;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  if (q === 1n << 64n) {
    q = 1n << 63n;
    e += 1;
  }
  if (q === 0n) return { neg, m: 0n, e: 0 };
  if (e + SIG_BITS > MAX_BITS) return 'inf';
  return { neg, m: q, e };
}

const SPACE = /^[ \t\n\v\f\r]/;
const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(inf|infinity)$/i;

/**
 * Parses like Redis's string2ld: strtold over the whole string, no leading space, no NaN, no overflow to ±inf
 * and no underflow to zero (both ERANGE). `inf`/`infinity` are accepted. Returns undefined when invalid.
 */
export function parseLongDouble(buf: Buffer | string): LongDouble | 'inf' | '-inf' | undefined {
  const s = typeof buf === 'string' ? buf : buf.toString('latin1');
  if (s.length === 0 || s.length >= MAX_CHARS || SPACE.test(s)) return undefined;
  const inf = INF_RE.exec(s);
  if (inf) return inf[1] === '-' ? '-inf' : 'inf';
  let neg: boolean;
  let num: bigint;
  let den = 1n;
  const hex = HEX_RE.exec(s);
  if (hex) {
    const [, sign, ip = '', fp = '', exp = '0'] = hex;
    if (ip.length + fp.length === 0) return undefined;
    neg = sign === '-';
    num = BigInt(`0x${ip}${fp}`);
    const e2 = Number(exp) - 4 * fp.length;
    if (num === 0n) return { neg, m: 0n, e: 0 };
    if (e2 + bitLength(num) > MAX_BITS + 1) return undefined;
    if (e2 + bitLength(num) < MIN_E - 1) return undefined;
    if (e2 >= 0) num <<= BigInt(e2);
    else den = 1n << BigInt(-e2);
  } else {
    const dec = DEC_RE.exec(s);
    if (!dec) return undefined;
    const [, sign, ip = '', fp = '', exp = '0'] = dec;
    if (ip.length + fp.length === 0) return undefined;
    neg = sign === '-';
    const digits = `${ip}${fp}`.replace(/^0+/, '');
    if (digits.length === 0) return { neg, m: 0n, e: 0 };
    const e10 = Number(exp) - fp.length;
    // Decide obvious overflow/underflow before building huge powers of ten.
    const magnitude = digits.length + e10; // value is in [10^(magnitude-1), 10^magnitude)
    if (magnitude > 4934) return undefined;
    if (magnitude < -4952) return undefined;
    num = BigInt(digits);
    if (e10 >= 0) num *= 10n ** BigInt(e10);
    else den = 10n ** BigInt(-e10);
  }
  const v = roundRational(neg, num, den);
  if (v === 'inf' || v.m === 0n) return undefined; // ERANGE: overflow or underflow to zero
  return v;
}

/** Exact a + b, rounded once to the nearest long double; 'inf' when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | 'inf' {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const av = (a.m << BigInt(a.e - e)) * (a.neg ? -1n : 1n);
  const bv = (b.m << BigInt(b.e - e)) * (b.neg ? -1n : 1n);
  const sum = av + bv;
  if (sum === 0n) return LD_ZERO;
  const neg = sum < 0n;
  const mag = neg ? -sum : sum;
  return e >= 0 ? roundRational(neg, mag << BigInt(e), 1n) : roundRational(neg, mag, 1n << BigInt(-e));
}

const TEN17 = 10n ** 17n;

/**
 * printf("%.17Lf") with trailing zeros (and a trailing '.') removed and "-0" printed as "0": Redis's
 * ld2string(..., LD_STR_HUMAN). Rounding of the 17th decimal is to nearest, ties to even, on the exact value.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  let intPart: bigint;
  let frac: bigint;
  if (v.e >= 0) {
    intPart = v.m << BigInt(v.e);
    frac = 0n;
  } else {
    const den = 1n << BigInt(-v.e);
    const n = v.m * TEN17;
    let q = n / den;
    const twice = (n % den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
    intPart = q / TEN17;
    frac = q % TEN17;
  }
  let s = intPart.toString();
  if (frac !== 0n) s += `.${frac.toString().padStart(17, '0').replace(/0+$/, '')}`;
  if (v.neg && s !== '0') s = `-${s}`;
  return s;
}
