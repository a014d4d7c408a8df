/**
 * The hand-written validators (no regexes, no Date.parse on S3's time forms) against the straightforward definitions
 * they replace: any difference in what is accepted or in the value returned fails here.
 */
import fc from 'fast-check';
import { normaliseSequencer } from '../../src/index/sequencer';
import { keyProblem, utcIsoTime, validTime } from '../../src/ingest/fields';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function referenceKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'empty object key';
  if (LONE_SURROGATE.test(key)) return 'object key is not valid UTF-8';
  const n = Buffer.byteLength(key, 'utf8');
  if (n > 1024) return `object key is ${n} bytes (max 1024)`;
  return undefined;
}

function referenceTime(v: string): number | undefined {
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 && t < 2 ** 48 ? t : undefined;
}

const referenceSequencer = (v: string): string | undefined =>
  v.length === 0 || v.length > 128 || !/^[\x21-\x7e]+$/.test(v) ? undefined : v.toUpperCase();

describe('field validators', () => {
  it('keyProblem agrees with the regex + Buffer.byteLength definition', () => {
    const unit = fc.oneof(
      fc.constantFrom(
        'a',
        '/',
        ' ',
        '+',
        '%',
        'é',
        '€',
        '\u07ff',
        '\u0800',
        '\uffff',
        '😀',
        '\uD800',
        '\uDC00',
        '\uDBFF',
      ),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    const keys = fc.oneof(
      fc.array(unit, { maxLength: 40 }).map((a) => a.join('')),
      // around the 1024-byte limit, with a 2/3/4-byte character at the end
      fc
        .tuple(fc.integer({ min: 1015, max: 1030 }), fc.constantFrom('', 'é', '€', '😀', '\uD800'))
        .map(([n, tail]) => 'k'.repeat(n) + tail),
      fc.string({ unit: 'binary', maxLength: 1100 }),
      // around 341 three-byte units and 256 astral characters (the lengths keyProblem starts measuring at)
      fc
        .tuple(fc.integer({ min: 338, max: 345 }), fc.constantFrom('€', '\uffff', 'é'), fc.constantFrom('', 'a', '€'))
        .map(([n, c, tail]) => c.repeat(n) + tail),
      fc.integer({ min: 254, max: 258 }).map((n) => '😀'.repeat(n)),
    );
    fc.assert(
      fc.property(keys, (k) => {
        expect(keyProblem(k)).toBe(referenceKeyProblem(k));
      }),
      { numRuns: 3000 },
    );
  });

  it('S3 time forms parse to what Date.parse gives, other strings fall back to it', () => {
    const isoTimes = fc
      .tuple(
        fc.integer({ min: 1900, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 999 })),
      )
      .map(([y, mo, d, h, mi, s, ms]) => {
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${ms === null ? '' : `.${p(ms, 3)}`}Z`;
      });
    const mangled = isoTimes.chain((t) =>
      fc
        .tuple(fc.nat(t.length - 1), fc.constantFrom('x', '-', ':', '.', 'Z', ' ', '9', '\u0660'))
        .map(([i, c]) => t.slice(0, i) + c + t.slice(i + 1)),
    );
    const any = fc.oneof(
      isoTimes,
      mangled,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    fc.assert(
      fc.property(any, (t) => {
        expect(validTime(t)).toBe(referenceTime(t));
        const fast = utcIsoTime(t);
        if (fast >= 0) expect(fast).toBe(Date.parse(t));
      }),
      { numRuns: 5000 },
    );
    // the fast path really is taken for S3's forms, and the leap-year rules hold
    expect(utcIsoTime('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(utcIsoTime('2000-02-29T00:00:00.001Z')).toBe(Date.UTC(2000, 1, 29, 0, 0, 0, 1));
    expect(utcIsoTime('2100-02-29T00:00:00Z')).toBe(-1);
    expect(validTime('2100-02-29T00:00:00Z')).toBe(Date.parse('2100-02-29T00:00:00Z'));
    expect(utcIsoTime('1970-01-01T00:00:00Z')).toBe(0);
    expect(validTime('1969-12-31T23:59:59Z')).toBeUndefined();
    // beyond what the 48-bit time fields hold: rejected, not a crash at encoding time
    expect(validTime('+010889-08-02T05:31:50.655Z')).toBe(2 ** 48 - 1);
    expect(validTime('+010889-08-02T05:31:50.656Z')).toBeUndefined();
    expect(validTime('+100000-01-01T00:00:00Z')).toBeUndefined();
  });

  it('normaliseSequencer agrees with the regex + toUpperCase definition', () => {
    const seqs = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 20 }),
      fc.string({ unit: 'binary-ascii', maxLength: 130 }),
      fc.string({ unit: 'grapheme', maxLength: 10 }),
    );
    fc.assert(
      fc.property(seqs, (s) => {
        expect(normaliseSequencer(s)).toBe(referenceSequencer(s));
      }),
      { numRuns: 3000 },
    );
  });
});
