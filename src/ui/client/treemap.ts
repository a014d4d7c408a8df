/**
 * Squarified treemap layout (Bruls, Huizing, van Wijk, 2000): rectangles with areas proportional to the values,
 * filled in rows along the shorter side of what is left, a row closed when adding the next item would make its
 * worst aspect ratio worse. O(n log n) for the sort, O(n) after. Pure: no DOM, so it runs under jest as well.
 */

export interface Tile<T> {
  readonly item: T;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The worst aspect ratio of a row of `areas` (summing to `sum`) laid along a side of length `side`. */
function worst(sum: number, min: number, max: number, side: number): number {
  const s2 = sum * sum;
  const w2 = side * side;
  return Math.max((w2 * max) / s2, s2 / (w2 * min));
}

/**
 * Tiles for the items of positive value, largest first, filling a `width` × `height` rectangle exactly. Items whose
 * value is 0 (or not a finite number) get no tile.
 */
export function squarify<T>(items: readonly T[], value: (item: T) => number, width: number, height: number): Tile<T>[] {
  const nodes = items
    .map((item) => ({ item, v: value(item) }))
    .filter((n) => Number.isFinite(n.v) && n.v > 0)
    .sort((a, b) => b.v - a.v);
  const total = nodes.reduce((s, n) => s + n.v, 0);
  if (nodes.length === 0 || width <= 0 || height <= 0) return [];
  const scale = (width * height) / total;
  const areas = nodes.map((n) => n.v * scale);
  const tiles: Tile<T>[] = [];
  let x = 0;
  let y = 0;
  let w = width;
  let h = height;

  const place = (from: number, to: number, sum: number): void => {
    if (w >= h) {
      // a column along the left side
      const cw = Math.min(w, sum / h);
      let yy = y;
      for (let i = from; i < to; i++) {
        const th = i === to - 1 ? y + h - yy : areas[i]! / cw;
        tiles.push({ item: nodes[i]!.item, x, y: yy, w: cw, h: th });
        yy += th;
      }
      x += cw;
      w -= cw;
    } else {
      // a row along the top
      const rh = Math.min(h, sum / w);
      let xx = x;
      for (let i = from; i < to; i++) {
        const tw = i === to - 1 ? x + w - xx : areas[i]! / rh;
        tiles.push({ item: nodes[i]!.item, x: xx, y, w: tw, h: rh });
        xx += tw;
      }
      y += rh;
      h -= rh;
    }
  };

  let start = 0;
  let sum = 0;
  for (let i = 0; i < areas.length; i++) {
    const a = areas[i]!;
    const side = Math.min(w, h);
    // areas are sorted descending: the row's max is its first, its min the newest
    if (i > start && worst(sum + a, a, areas[start]!, side) > worst(sum, areas[i - 1]!, areas[start]!, side)) {
      place(start, i, sum);
      start = i;
      sum = 0;
    }
    sum += a;
  }
  place(start, areas.length, sum);
  return tiles;
}
