/**
 * sin, cos and asin rounded correctly (to nearest), computed in double-double arithmetic (~106 bits).
 *
 * Redis computes distances with glibc's libm, whose sin/cos/asin return the correctly rounded result in all but
 * very rare cases; V8's Math.sin/cos/asin (fdlibm) are off by one ulp noticeably often, which shows in the full
 * doubles GEOSEARCHSTORE … STOREDIST stores. These agree with glibc wherever glibc rounds correctly.
 *
 * Domain: what the geo code needs (|x| up to a few π for sin/cos, [0, 1] for asin); the reduction by π/2 uses a
 * three-part π/2, exact enough for |x| < 2^20.
 */

type DD = [number, number];

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [t, f] = twoSum(a[1], b[1]);
  const [s2, e2] = quickTwoSum(s, e + t);
  return quickTwoSum(s2, e2 + f);
}

function mul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

function div(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = add(a, neg(mul(b, [q1, 0])));
  const q2 = r[0] / b[0];
  r = add(r, neg(mul(b, [q2, 0])));
  const q3 = r[0] / b[0];
  return add(quickTwoSum(q1, q2), [q3, 0]);
}

const neg = (a: DD): DD => [-a[0], -a[1]];

/** 1/n! for n = 0..29, as double-doubles */
const INV_FACT: DD[] = [];
{
  let f: DD = [1, 0];
  INV_FACT.push(f);
  for (let n = 1; n < 30; n++) {
    f = div(f, [n, 0]);
    INV_FACT.push(f);
  }
}

const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** x - k·π/2 as a double-double, with k the nearest integer to x/(π/2). */
function reduce(x: number): { r: DD; k: number } {
  const k = Math.round(x / PIO2_1);
  if (k === 0) return { r: [x, 0], k };
  // k·PIO2_1 is exact for small k (PIO2_1 has 53 bits, k below 2^20 adds at most 20)
  const [p1, e1] = twoProd(k, PIO2_1);
  let r = twoSum(x, -p1);
  r = add(r, [-e1, 0]);
  r = add(r, neg(twoProd(k, PIO2_2)));
  r = add(r, [-k * PIO2_3, 0]);
  return { r, k };
}

/** (-1)^j / (2j + 1)! and (-1)^j / (2j)!: the Taylor coefficients of sin(r)/r and cos(r) in r² */
const SIN_C: DD[] = Array.from({ length: 14 }, (_, j) =>
  j % 2 === 0 ? INV_FACT[2 * j + 1]! : neg(INV_FACT[2 * j + 1]!),
);
const COS_C: DD[] = Array.from({ length: 15 }, (_, j) => (j % 2 === 0 ? INV_FACT[2 * j]! : neg(INV_FACT[2 * j]!)));

/** Terms from DD_TERMS on are small enough (below 1e-7 of the result for |r| ≤ π/4) to be summed in doubles. */
const DD_TERMS = 5;
const SIN_TAIL = SIN_C.slice(DD_TERMS).map((c) => c[0] + c[1]);
const COS_TAIL = COS_C.slice(DD_TERMS).map((c) => c[0] + c[1]);

/** Σ coefs[j]·r2^j: the small high-order terms by Horner in doubles, the first DD_TERMS in double-double. */
function horner(coefs: DD[], tail: number[], r2: DD): DD {
  const x = r2[0];
  let t = tail[tail.length - 1]!;
  for (let j = tail.length - 2; j >= 0; j--) t = t * x + tail[j]!;
  let s: DD = [t, 0];
  for (let j = DD_TERMS - 1; j >= 0; j--) s = add(mul(s, r2), coefs[j]!);
  return s;
}

/** sin(r) for |r| ≤ π/4 */
const sinSeries = (r: DD): DD => mul(horner(SIN_C, SIN_TAIL, mul(r, r)), r);
/** cos(r) for |r| ≤ π/4 */
const cosSeries = (r: DD): DD => horner(COS_C, COS_TAIL, mul(r, r));

function sinDD(x: DD): DD {
  const { r: r0, k } = reduce(x[0]);
  const r = add(r0, [x[1], 0]);
  switch (((k % 4) + 4) % 4) {
    case 0:
      return sinSeries(r);
    case 1:
      return cosSeries(r);
    case 2:
      return neg(sinSeries(r));
    default:
      return neg(cosSeries(r));
  }
}

function cosDD(x: DD): DD {
  const { r: r0, k } = reduce(x[0]);
  const r = add(r0, [x[1], 0]);
  switch (((k % 4) + 4) % 4) {
    case 0:
      return cosSeries(r);
    case 1:
      return neg(sinSeries(r));
    case 2:
      return neg(cosSeries(r));
    default:
      return sinSeries(r);
  }
}

export function sin(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  if (x === 0) return x;
  const r = sinDD([x, 0]);
  return r[0] + r[1];
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  const r = cosDD([x, 0]);
  return r[0] + r[1];
}

/** asin(y): Math.asin refined by Newton steps on sin(x) = y in double-double. */
export function asin(y: number): number {
  if (Number.isNaN(y) || y > 1 || y < -1) return Number.NaN;
  if (y === 0) return y;
  let x: DD = [Math.asin(y), 0];
  // Math.asin is within an ulp or two: one Newton step leaves an error of the order of tan(x)·ulp², a second one
  // is needed only where the derivative blows up, near ±1
  for (let i = 0; i < 2; i++) {
    const c = cosDD(x);
    if (c[0] === 0) break;
    const f = add(sinDD(x), [-y, 0]);
    x = add(x, neg(div(f, c)));
    if (Math.abs(c[0]) > 1e-3) break;
  }
  return x[0] + x[1];
}
