/**
 * How Redis prints the numbers of geo replies and errors:
 *  - distances: fixedpoint_d2string(d, 4), i.e. llrint(d * 10000) (the product rounded half to even) with 4 decimals;
 *  - coordinates: addReplyHumanLongDouble, printf("%.17Lf") of the exact value with trailing zeros removed (a bulk
 *    string in RESP2, a RESP3 double);
 *  - the coordinates in "invalid longitude,latitude pair": printf("%f").
 * printf rounds the exact binary value half to even, which `fixedExact` reproduces with integer arithmetic.
 */

/** printf("%.{digits}f") of a double: exact, rounding half to even; "inf"/"-inf" for infinities. */
export function fixedExact(d: number, digits: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  const negative = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  let scaled: bigint;
  if (Number.isInteger(a)) {
    scaled = BigInt(a) * 10n ** BigInt(digits);
  } else {
    // a = m / 2^k with m an integer (k ≤ 1074)
    let m = a;
    let k = 0;
    while (!Number.isInteger(m)) {
      m *= 2;
      k++;
    }
    const num = BigInt(m) * 10n ** BigInt(digits);
    const den = 1n << BigInt(k);
    scaled = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && scaled % 2n === 1n)) scaled += 1n;
  }
  let s = scaled.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  }
  return negative ? `-${s}` : s;
}

/** ld2string(LD_STR_HUMAN) of a double: "%.17Lf" without trailing zeros (and "0" rather than "-0"). */
export function humanCoordinate(d: number): string {
  let s = fixedExact(d, 17);
  if (!Number.isFinite(d)) return s;
  s = s.replace(/0+$/, '');
  if (s.endsWith('.')) s = s.slice(0, -1);
  return s === '-0' ? '0' : s;
}

/** rint: round half to even. */
function rintEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** addReplyDoubleDistance: fixedpoint_d2string(d, 4). */
export function distanceText(d: number): string {
  if (d === 0) return '0.0000';
  const v = rintEven(d * 10000);
  const negative = v < 0;
  let digits = String(Math.abs(v));
  if (digits.length < 5) digits = digits.padStart(5, '0');
  const s = `${digits.slice(0, -4)}.${digits.slice(-4)}`;
  return negative ? `-${s}` : s;
}
