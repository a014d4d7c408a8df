/**
 * Redis's georadiusGeneric: GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms, with the
 * same argument parsing (and the same order of errors), the same cells walked in the same order, the same sort
 * (a stable sort for a full ordering, Redis's partial quicksort `pqsort` when COUNT cuts it) and the same replies,
 * so that even unsorted results come back in Redis's order.
 */
import type { CommandContext } from '../../command';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulk, bulkStr, double, EMPTY_ARRAY, error, int, type Reply } from '../../reply';
import { SortedSet } from '../../structures/sortedset';
import { isSortedSet, storeZset, zsetForRead } from '../zset/access';
import { parseScore } from '../zset/range-parsing';
import { distanceText, fixedExact, humanCoordinate } from './format';
import {
  align52,
  decodeScore,
  distanceWithin,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  type GeoHashBits,
  type GeoShape,
  isZero,
  searchCells,
} from './geometry';

export const UNSUPPORTED_UNIT = error('ERR unsupported unit provided. please use M, KM, FT, MI');
export const CANNOT_DECODE_MEMBER = error('ERR could not decode requested zset member');

/** extractLongLatOrReply: [longitude, latitude] or the error reply. */
export function longLatArg(lon: Buffer, lat: Buffer): [number, number] | Reply {
  const x = parseScore(lon);
  if (x === undefined) return NOT_FLOAT;
  const y = parseScore(lat);
  if (y === undefined) return NOT_FLOAT;
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX)
    return error(`ERR invalid longitude,latitude pair ${fixedExact(x, 6)},${fixedExact(y, 6)}`);
  return [x, y];
}

/** extractUnitOrReply: meters per unit. */
export function unitArg(b: Buffer): number | Reply {
  switch (b.toString('latin1').toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      return UNSUPPORTED_UNIT;
  }
}

const isReplyValue = (x: unknown): x is Reply => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A coordinate of a reply: Redis's "%.17Lf" text, a bulk string in RESP2 and a double with that text in RESP3. */
export function coordinateReply(d: number, resp: 2 | 3): Reply {
  const text = humanCoordinate(d);
  // The engine's RESP3 double prints "%.17g": the same value a client parses from Redis's text, in other digits.
  return resp === 3 ? double(Number(text), text) : bulkStr(text);
}

interface GeoPoint {
  longitude: number;
  latitude: number;
  dist: number;
  score: number;
  member: Buffer;
}

/** geoGetPointsInRange over every cell, stopping once `limit` points were found (COUNT … ANY). */
function membersOfAllNeighbors(zs: SortedSet, cells: GeoHashBits[], shape: GeoShape, limit: number): GeoPoint[] {
  const ga: GeoPoint[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (isZero(cell)) continue;
    // a huge radius makes adjacent neighbours the same cell: skip one equal to the previous one searched
    const prev = cells[lastProcessed]!;
    if (lastProcessed !== 0 && cell.bits === prev.bits && cell.step === prev.step) continue;
    if (ga.length > 0 && limit > 0 && ga.length >= limit) break;
    const min = align52(cell);
    const max = align52({ bits: cell.bits + 1n, step: cell.step });
    // min <= score < max
    if (min < max) {
      zs.scan(zs.countBelowScore(min, false), (member, score) => {
        if (score >= max) return false;
        const [x, y] = decodeScore(score);
        const dist = distanceWithin(shape, x, y);
        if (dist !== undefined) ga.push({ longitude: x, latitude: y, dist, score, member });
        return !(ga.length > 0 && limit > 0 && ga.length >= limit);
      });
    }
    lastProcessed = i;
  }
  return ga;
}

const ascending = (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const descending = (a: GeoPoint, b: GeoPoint): number => -ascending(a, b);

/**
 * Redis's pqsort (Bentley & McIlroy's quicksort, recursing only into the parts that overlap ranks lrange..rrange):
 * ported swap for swap, since which of several equally distant points make the cut, and their order, depend on it.
 */
export function pqsort<T>(arr: T[], cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (a: number, b: number, c: number): number =>
    cmp(arr[a]!, arr[b]!) < 0
      ? cmp(arr[b]!, arr[c]!) < 0
        ? b
        : cmp(arr[a]!, arr[c]!) < 0
          ? c
          : a
      : cmp(arr[b]!, arr[c]!) > 0
        ? b
        : cmp(arr[a]!, arr[c]!) < 0
          ? a
          : c;
  const outside = (start: number, n: number): boolean =>
    (lrange < start && rrange < start) || (lrange >= start + n && rrange >= start + n);

  const sort = (a0: number, n0: number): void => {
    let a = a0;
    let n = n0;
    for (;;) {
      if (n < 7) {
        for (let pm = a + 1; pm < a + n; pm++)
          for (let pl = pm; pl > a && cmp(arr[pl - 1]!, arr[pl]!) > 0; pl--) swap(pl, pl - 1);
        return;
      }
      let pm = a + Math.floor(n / 2);
      if (n > 7) {
        let pl = a;
        let pn = a + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(a, pm);
      let pa = a + 1;
      let pb = a + 1;
      let pc = a + n - 1;
      let pd = a + n - 1;
      for (;;) {
        while (pb <= pc) {
          const r = cmp(arr[pb]!, arr[a]!);
          if (r > 0) break;
          if (r === 0) {
            swap(pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc) {
          const r = cmp(arr[pc]!, arr[a]!);
          if (r < 0) break;
          if (r === 0) {
            swap(pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb, pc);
        pb++;
        pc--;
      }
      const pn = a + n;
      let r = Math.min(pa - a, pb - pa);
      vecswap(a, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      const left = pb - pa;
      if (left > 1 && !outside(a, left)) sort(a, left);
      const right = pd - pc;
      if (right > 1) {
        a = pn - right;
        n = right;
        if (!outside(a, n)) continue;
      }
      return;
    }
  };
  sort(0, arr.length);
}

/** What a command of the family is. */
export interface SearchKind {
  /** argv index of the source key */
  readonly srcIndex: number;
  /** GEORADIUS(_RO): center and radius from argv[2..5] */
  readonly coords?: boolean;
  /** GEORADIUSBYMEMBER(_RO): center member argv[2], radius argv[3..4] */
  readonly member?: boolean;
  /** the _RO forms: no STORE / STOREDIST */
  readonly noStore?: boolean;
  /** GEOSEARCH and GEOSEARCHSTORE: FROM… and BY… options */
  readonly search?: boolean;
  /** GEOSEARCHSTORE: argv[1] is the destination */
  readonly searchStore?: boolean;
}

/** extractDistanceOrReply: [radius, meters per unit]. */
function distanceArg(value: Buffer, unit: Buffer): [number, number] | Reply {
  const radius = parseScore(value);
  if (radius === undefined) return error('ERR need numeric radius');
  if (radius < 0) return error('ERR radius cannot be negative');
  const conversion = unitArg(unit);
  if (isReplyValue(conversion)) return conversion;
  return [radius, conversion];
}

/** extractBoxOrReply: [width, height, meters per unit]. */
function boxArg(w: Buffer, h: Buffer, unit: Buffer): [number, number, number] | Reply {
  const width = parseScore(w);
  if (width === undefined) return error('ERR need numeric width');
  const height = parseScore(h);
  if (height === undefined) return error('ERR need numeric height');
  if (height < 0 || width < 0) return error('ERR height or width cannot be negative');
  const conversion = unitArg(unit);
  if (isReplyValue(conversion)) return conversion;
  return [width, height, conversion];
}

export function georadiusGeneric(ctx: CommandContext, kind: SearchKind): Reply {
  const { argv, db, now } = ctx;
  let storeKey: Buffer | undefined;
  let storeDist = false;

  const found = zsetForRead(db, argv[kind.srcIndex]!, now);
  if (found !== undefined && !isSortedSet(found)) return found;
  const zs = found;

  let baseArgs: number;
  let xy: [number, number] = [0, 0];
  let conversion = 0;
  let radius = 0;
  let width = 0;
  let height = 0;
  let type: 'circle' | 'box' | undefined;
  if (kind.coords) {
    baseArgs = 6;
    type = 'circle';
    const ll = longLatArg(argv[2]!, argv[3]!);
    if (!Array.isArray(ll)) return ll;
    xy = ll;
    const d = distanceArg(argv[4]!, argv[5]!);
    if (!Array.isArray(d)) return d;
    [radius, conversion] = d;
  } else if (kind.member && zs === undefined) {
    // no source key: the options are still parsed, to know which reply to give
    baseArgs = 5;
  } else if (kind.member) {
    baseArgs = 5;
    type = 'circle';
    const score = zs!.score(argv[2]!);
    if (score === undefined) return CANNOT_DECODE_MEMBER;
    xy = decodeScore(score);
    const d = distanceArg(argv[3]!, argv[4]!);
    if (!Array.isArray(d)) return d;
    [radius, conversion] = d;
  } else {
    baseArgs = 2;
    if (kind.searchStore) {
      baseArgs = 3;
      storeKey = argv[1]!;
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort: 'none' | 'asc' | 'desc' = 'none';
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const a = argv[baseArgs + i]!;
    const arg = a.toString('latin1').toLowerCase();
    if (arg === 'withdist') withDist = true;
    else if (arg === 'withhash') withHash = true;
    else if (arg === 'withcoord') withCoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = 'asc';
    else if (arg === 'desc') sort = 'desc';
    else if (arg === 'count' && i + 1 < remaining) {
      const c = parseInt64(argv[baseArgs + i + 1]!);
      if (c === undefined) return NOT_INTEGER;
      if (c <= 0n) return error('ERR COUNT must be > 0');
      count = Number(c);
      i++;
    } else if (arg === 'store' && i + 1 < remaining && !kind.noStore && !kind.search) {
      storeKey = argv[baseArgs + i + 1]!;
      storeDist = false;
      i++;
    } else if (arg === 'storedist' && i + 1 < remaining && !kind.noStore && !kind.search) {
      storeKey = argv[baseArgs + i + 1]!;
      storeDist = true;
      i++;
    } else if (arg === 'storedist' && kind.search && kind.searchStore) {
      storeDist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && kind.search && !fromLoc) {
      if (zs === undefined) {
        fromMember = true;
        i++;
        continue;
      }
      const score = zs.score(argv[baseArgs + i + 1]!);
      if (score === undefined) return CANNOT_DECODE_MEMBER;
      xy = decodeScore(score);
      fromMember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && kind.search && !fromMember) {
      const ll = longLatArg(argv[baseArgs + i + 1]!, argv[baseArgs + i + 2]!);
      if (!Array.isArray(ll)) return ll;
      xy = ll;
      fromLoc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && kind.search && !byBox) {
      const d = distanceArg(argv[baseArgs + i + 1]!, argv[baseArgs + i + 2]!);
      if (!Array.isArray(d)) return d;
      [radius, conversion] = d;
      type = 'circle';
      byRadius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && kind.search && !byRadius) {
      const b = boxArg(argv[baseArgs + i + 1]!, argv[baseArgs + i + 2]!, argv[baseArgs + i + 3]!);
      if (!Array.isArray(b)) return b;
      [width, height, conversion] = b;
      type = 'box';
      byBox = true;
      i += 3;
    } else {
      return SYNTAX;
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    return error(
      `ERR ${kind.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
  }
  const name = argv[0]!.toString('latin1');
  if (kind.search && !(fromMember || fromLoc))
    return error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (kind.search && !(byRadius || byBox))
    return error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && !count) return error('ERR the ANY argument requires COUNT argument');

  if (zs === undefined) {
    if (storeKey !== undefined) {
      storeZset(db, storeKey, new SortedSet(), now);
      return int(0);
    }
    return EMPTY_ARRAY;
  }

  if (count !== 0 && sort === 'none' && !any) sort = 'asc';

  const shape: GeoShape =
    type === 'box' ? { type: 'box', xy, conversion, width, height } : { type: 'circle', xy, conversion, radius };
  const ga = membersOfAllNeighbors(zs, searchCells(shape), shape, any ? count : 0);

  if (ga.length === 0 && storeKey === undefined) return EMPTY_ARRAY;

  const resultLength = ga.length;
  const returned = count === 0 || resultLength < count ? resultLength : count;
  if (sort !== 'none') {
    const cmp = sort === 'asc' ? ascending : descending;
    // glibc's qsort is a (stable) merge sort; a cut by COUNT uses Redis's own partial quicksort
    if (returned === resultLength) ga.sort(cmp);
    else pqsort(ga, cmp, 0, returned - 1);
  }

  if (storeKey === undefined) {
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
    const out: Reply[] = [];
    const resp = ctx.session.resp;
    for (let i = 0; i < returned; i++) {
      const gp = ga[i]!;
      const dist = gp.dist / conversion;
      if (options === 0) {
        out.push(bulk(gp.member));
        continue;
      }
      const item: Reply[] = [bulk(gp.member)];
      if (withDist) item.push(bulkStr(distanceText(dist)));
      if (withHash) item.push(int(Math.trunc(gp.score)));
      if (withCoords) item.push(array([coordinateReply(gp.longitude, resp), coordinateReply(gp.latitude, resp)]));
      out.push(array(item));
    }
    return array(out);
  }

  const stored = new SortedSet();
  for (let i = 0; i < returned; i++) {
    const gp = ga[i]!;
    stored.add(gp.member, storeDist ? gp.dist / conversion : gp.score);
  }
  storeZset(db, storeKey, stored, now);
  return int(returned);
}
