/**
 * Number parsing and formatting with Redis's rules: strict integers (string2ll), doubles (strtod without
 * leading spaces or NaN) and Redis 7.0's double formatting (%.17g).
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const INT_RE = /^-?(0|[1-9][0-9]*)$/;

/**
 * Fast path of string2ll for the common case: a Buffer of at most 15 bytes, which is either an invalid integer
 * or one within ±(10^15 - 1), exactly representable as a JS number. Returns undefined when invalid. Callers fall
 * back to parseInt64 (BigInt) for longer texts.
 */
export function parseSmallInt(buf: Buffer): number | undefined {
  const len = buf.length;
  if (len === 0 || len > 15) return undefined;
  let i = 0;
  const neg = buf[0] === 0x2d;
  if (neg) {
    if (len === 1) return undefined;
    i = 1;
  }
  // no leading zeros, and no "-0"
  if (buf[i] === 0x30) return len === 1 ? 0 : undefined;
  let v = 0;
  for (; i < len; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Parses a signed 64-bit integer exactly like Redis's string2ll; returns undefined when invalid. */
export function parseInt64(buf: Buffer | string): bigint | undefined {
  if (typeof buf !== 'string' && buf.length <= 15) {
    const n = parseSmallInt(buf);
    return n === undefined ? undefined : BigInt(n);
  }
  const s = typeof buf === 'string' ? buf : buf.toString('latin1');
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s) || s === '-0') return undefined;
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return undefined;
  return v;
}

/** Like parseInt64 but returns a JS number, or undefined when invalid or not exactly representable. */
export function parseSafeInt(buf: Buffer | string): number | undefined {
  if (typeof buf !== 'string' && buf.length <= 15) return parseSmallInt(buf);
  const s = typeof buf === 'string' ? buf : buf.toString('latin1');
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s) || s === '-0') return undefined;
  if (s.length < 16) return Number(s);
  const v = parseInt64(s);
  if (v === undefined) return undefined;
  // Values beyond 2^53 are clamped: callers use this for counts, offsets and indexes where that is harmless.
  return Number(v);
}

export function isInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

const FLOAT_RE = /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+(\.[0-9a-fA-F]*)?([pP][+-]?\d+)?)$/;
const INF_RE = /^[+-]?(inf|infinity)$/i;

/** Parses a double like Redis's string2d/strtod; rejects NaN, empty strings and surrounding spaces. */
export function parseDouble(buf: Buffer | string): number | undefined {
  if (typeof buf !== 'string' && buf.length <= 15) {
    // plain integers ("0", "-12", "+3", "007") are exact in a double when 15 digits or fewer
    const len = buf.length;
    let i = buf[0] === 0x2d || buf[0] === 0x2b ? 1 : 0;
    if (i < len) {
      let v = 0;
      for (; i < len; i++) {
        const c = buf[i]! - 0x30;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (i === len) return buf[0] === 0x2d ? -v : v;
    }
  }
  const s = typeof buf === 'string' ? buf : buf.toString('latin1');
  if (s.length === 0 || s.length > 5000) return undefined;
  if (INF_RE.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (!FLOAT_RE.test(s)) return undefined;
  let v: number;
  if (/0[xX]/.test(s)) {
    v = parseHexFloat(s);
  } else {
    v = Number(s);
  }
  if (Number.isNaN(v)) return undefined;
  return v;
}

function parseHexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(s);
  if (!m) return Number.NaN;
  const [, sign, intPart = '', frac = '', exp = '0'] = m;
  let v = intPart ? Number.parseInt(intPart, 16) : 0;
  for (let i = 0; i < frac.length; i++) v += Number.parseInt(frac[i]!, 16) / 16 ** (i + 1);
  v *= 2 ** Number(exp);
  return sign === '-' ? -v : v;
}

/** Redis 7.0 addReplyDouble: "inf"/"-inf", otherwise printf("%.17g"). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  return formatG(d, 17);
}

/** printf("%.{p}g") for finite, non-zero doubles. */
export function formatG(d: number, p: number): string {
  const exp = Math.floor(Math.log10(Math.abs(d)));
  let s = d.toExponential(p - 1); // d.ddddde±x, correctly rounded
  let [mant, e] = s.split('e') as [string, string];
  let x = Number(e);
  if (Number.isNaN(exp)) x = 0;
  if (x < -4 || x >= p) {
    if (mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    const ax = Math.abs(x);
    return `${mant}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  s = d.toFixed(Math.max(0, p - 1 - x));
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s;
}

/**
 * INCRBYFLOAT/HINCRBYFLOAT formatting: Redis prints a long double with "%.17Lf" and trims trailing zeros.
 * We compute in doubles and print the shortest representation that round-trips, in plain (non-exponent) notation,
 * which agrees with Redis whenever the long double result rounds to the same double.
 */
export function formatHumanDouble(d: number): string {
  if (d === 0) return '0';
  let s = String(d);
  if (/e/.test(s)) s = expandExponent(s);
  return s;
}

function expandExponent(s: string): string {
  const [mant, e] = s.split('e') as [string, string];
  const x = Number(e);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const pointPos =
    (mant.replace('-', '').indexOf('.') === -1 ? mant.replace('-', '').length : mant.replace('-', '').indexOf('.')) + x;
  let out: string;
  if (pointPos <= 0) out = `0.${'0'.repeat(-pointPos)}${digits}`;
  else if (pointPos >= digits.length) out = digits + '0'.repeat(pointPos - digits.length);
  else out = `${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
  out = out.includes('.') ? out.replace(/\.?0+$/, '') : out;
  return neg ? `-${out}` : out;
}
