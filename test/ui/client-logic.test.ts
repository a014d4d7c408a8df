/**
 * The browse page's pure pieces (src/ui/client/): the squarified treemap layout, the URL hash routes with arbitrary
 * UTF-8 keys, and how figures are written. (The page as a whole: browse.test.ts in Chromium.)
 */
import fc from 'fast-check';
import { formatBytes, formatCount, formatShare } from '../../src/ui/client/format';
import { crumbs, parentPrefix, parseHash, routeHash } from '../../src/ui/client/routes';
import { squarify } from '../../src/ui/client/treemap';

describe('squarify', () => {
  it('tiles the box exactly, each tile’s area proportional to its value, none overlapping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 1000 }),
        (values, width, height) => {
          const tiles = squarify(values, (v) => v, width, height);
          const positive = values.filter((v) => v > 0);
          expect(tiles).toHaveLength(positive.length);
          if (tiles.length === 0) return;
          const total = positive.reduce((s, v) => s + v, 0);
          const eps = 1e-6 * width * height;
          for (const t of tiles) {
            expect(Math.abs(t.w * t.h - (t.item / total) * width * height)).toBeLessThan(eps + 1e-6);
            expect(t.x).toBeGreaterThanOrEqual(-1e-6);
            expect(t.y).toBeGreaterThanOrEqual(-1e-6);
            expect(t.x + t.w).toBeLessThanOrEqual(width + 1e-6);
            expect(t.y + t.h).toBeLessThanOrEqual(height + 1e-6);
          }
          for (let i = 0; i < tiles.length; i++)
            for (let j = i + 1; j < tiles.length; j++) {
              const a = tiles[i]!;
              const b = tiles[j]!;
              const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
              const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
              expect(ox <= 1e-6 || oy <= 1e-6).toBe(true);
            }
          // largest first
          for (let i = 1; i < tiles.length; i++) expect(tiles[i]!.item).toBeLessThanOrEqual(tiles[i - 1]!.item);
        },
      ),
      { seed: 25, numRuns: 300 },
    );
  });

  it('keeps squares square-ish: equal values in a square box make a grid of squares', () => {
    const tiles = squarify([1, 1, 1, 1], (v) => v, 100, 100);
    for (const t of tiles) expect([t.w, t.h]).toEqual([50, 50]);
  });
});

describe('routes', () => {
  it('round-trips any bucket and prefix through the hash', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/),
        fc.string({ unit: 'grapheme' }),
        (bucket, prefix) => {
          const hash = routeHash({ bucket, prefix });
          expect(parseHash(hash)).toEqual({ bucket, prefix });
          // nothing that would end or split the hash, or be rewritten by the browser
          expect(hash.indexOf('#', 1)).toBe(-1);
          expect(hash).not.toMatch(/\s/);
        },
      ),
      { seed: 25, numRuns: 300 },
    );
    expect(parseHash('')).toEqual({ prefix: '' });
    expect(parseHash('#/')).toEqual({ prefix: '' });
    expect(routeHash({ prefix: '' })).toBe('#/');
    expect(routeHash({ bucket: 'b', prefix: 'données/a b/' })).toBe('#/b/donn%C3%A9es/a%20b/');
    expect(parseHash('#/b/%E0%A4%A')).toEqual({ bucket: 'b', prefix: '%E0%A4%A' });
  });

  it('goes up one folder at a time, and lists the breadcrumbs', () => {
    expect(parentPrefix('a/b/')).toBe('a/');
    expect(parentPrefix('a/')).toBe('');
    expect(parentPrefix('')).toBeUndefined();
    expect(parentPrefix('a//')).toBe('a/');
    expect(crumbs('a/été/c/')).toEqual([
      { name: 'a', prefix: 'a/' },
      { name: 'été', prefix: 'a/été/' },
      { name: 'c', prefix: 'a/été/c/' },
    ]);
  });
});

describe('figures', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [5_242_880, '5.00 MiB'],
    [44 * 1024 ** 4, '44.0 TiB'],
    [123.4 * 1024 ** 3, '123 GiB'],
  ])('%d bytes read %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('writes counts and shares the same in every locale', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatShare(1, 3)).toBe('33.3 %');
    expect(formatShare(5, 0)).toBe('0.0 %');
  });
});
