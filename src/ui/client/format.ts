/** How figures read on the browse page: sizes in binary units, counts with separators, shares as percentages. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** 0 B, 999 B, 1.00 KiB, 12.3 MiB, 456 GiB: three significant digits from 1 KiB on. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  let v = n;
  let unit = 0;
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[unit]}`;
}

/** 1234567 → "1,234,567" (the same in every locale, so that what the page shows can be compared). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The share of `part` in `whole`, 0 to 100 (0 when the whole is empty). */
export function sharePercent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, (100 * part) / whole) : 0;
}

/** "12.3 %" */
export function formatShare(part: number, whole: number): string {
  return `${sharePercent(part, whole).toFixed(1)} %`;
}

/** "2024-05-01T12:00:00.000Z" → "2024-05-01 12:00:00 UTC" */
export function formatDate(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}
